# loops, conditions and case: for, while, until, break, continue, nested loops
for i in 1 2 3; do echo "for $i"; done
for w in alpha "beta gamma" delta; do printf '[%s]\n' "$w"; done
n=0
while [ $n -lt 5 ]; do n=$((n + 1)); [ $n -eq 2 ] && continue; echo "while $n"; done
until [ $n -eq 0 ]; do n=$((n - 1)); [ $n -eq 1 ] && break; done
echo "until stopped at $n"
for a in x y; do for b in 1 2 3; do [ $b = 3 ] && continue 2; echo "$a$b"; done; done
for f in apple.txt notes.md run.sh other; do
	case $f in
	*.txt) echo "$f: text" ;;
	*.md | *.rst) echo "$f: markup" ;;
	run.*) echo "$f: script" ;;
	*) echo "$f: unknown" ;;
	esac
done
i=0
while read -r line; do i=$((i + 1)); echo "line $i: $line"; done <<END
first line
second   line with  spaces
END
if [ -d / ] && ! [ -f /no/such/file ]; then echo "tests ok"; else echo "tests wrong"; fi
[ "abc" \< "abd" ] && echo "string order"
test 10 -gt 9 -a 3 -le 3 && echo "numbers"
