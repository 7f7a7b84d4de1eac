# pipelines, redirections, subshells and exit statuses, with busybox's tools
d=/tmp/sh-pipes.$$
/bin/busybox mkdir -p $d && cd $d || exit 1
printf 'pear\napple\nfig\napple\nbanana\n' > fruit
/bin/busybox sort fruit | /bin/busybox uniq -c | /bin/busybox sort -rn | /bin/busybox head -n 2
/bin/busybox cat fruit | /bin/busybox tr a-z A-Z | /bin/busybox tail -n 2
echo "words: $(/bin/busybox cat fruit | /bin/busybox wc -l)"
echo one > out; echo two >> out; /bin/busybox cat < out
{ echo grouped; echo lines; } | /bin/busybox wc -l
(cd /; pwd); pwd | /bin/busybox sed "s|$d|WORKDIR|"
/bin/busybox ls /no/such/dir 2> err; echo "ls status $?"; /bin/busybox wc -l < err
false | true; echo "pipeline status $?"
true && echo "and-list"; false || echo "or-list"
x=outer; (x=inner; echo "sub $x"); echo "after $x"
/bin/busybox seq 1 200 | while read -r k; do s=$((${s:-0} + k)); done; echo "lost in pipe: ${s:-unset}"
exec 3> fd3; echo "via fd 3" >&3; exec 3>&-; /bin/busybox cat fd3
cd / && /bin/busybox rm -rf $d && echo cleaned
