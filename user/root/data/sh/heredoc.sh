# here-documents: expanded, quoted, tab-stripped, into commands and loops
who=Tessera
cat_() { while IFS= read -r l; do echo "| $l"; done; }
cat_ <<EOT
Hello $who
sum: $((1 + 2))
cmd: $(echo inside)
EOT
cat_ <<'EOT'
not expanded: $who $((1+2)) $(echo no)
EOT
cat_ <<-EOT
	tab-stripped $who
		twice
	EOT
/bin/busybox tr a-z A-Z <<EOT
upper $who
EOT
/bin/busybox wc -c <<EOT
12345
EOT
n=0
while read -r a b; do n=$((n + a * b)); done <<EOT
2 3
4 5
EOT
echo "n=$n"
