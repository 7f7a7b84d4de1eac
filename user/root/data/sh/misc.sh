# traps, printf, read, globbing, set -e in a subshell, background jobs and wait
printf '%s|%5d|%-5s|%x|%o|%.2f|%c\n' str 42 left 255 8 3.14159 xyz
printf '%3s:%s\n' a b c d
d=/tmp/sh-misc.$$
/bin/busybox mkdir -p $d && cd $d || exit 1
for f in b.txt a.txt c.log; do : > $f; done
echo *.txt; echo *.log
read -r first rest <<EOT
one two three
EOT
echo "first=$first rest=$rest"
( set -e; echo "before"; false; echo "not printed" ); echo "subshell status $?"
sleep_echo() { /bin/busybox sleep 0.$1; echo "job $1 done"; }
sleep_echo 2 > j2 & sleep_echo 1 > j1 &
wait; /bin/busybox cat j1 j2
/bin/busybox sh -c 'exit 3' & wait $!; echo "job status $?"
trap 'echo "exit trap ran"' EXIT
if [[ "tessera" == t*a ]]; then echo "double brackets match"; fi
type cd | /bin/busybox head -n 1
cd / && /bin/busybox rm -rf $d
