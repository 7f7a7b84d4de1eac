# what the shell asks of execve: environment to children, #! scripts written at run time,
# long argument lists, exec replacing the shell in a subshell, and command lookup failures
d=/tmp/sh-exec.$$
/bin/busybox mkdir -p $d && cd $d || exit 1
export GREETING="hello from the parent"
/bin/busybox env | /bin/busybox grep '^GREETING='
GREETING=override /bin/busybox sh -c 'echo "child sees: $GREETING"'
printf '#!/bin/busybox sh\necho "script $0 got $# args: $*"\n' > script
/bin/busybox chmod +x script
./script one "two three"
printf '#!./script extra\n' > nested
/bin/busybox chmod +x nested
./nested last
printf 'echo "no #! line, run by the shell itself: $1"\n' > plain
# (bash runs such a file itself; zsh hands it to /bin/sh, which is Tessera's own shell there)
/bin/busybox chmod +x plain; [ -n "$BASH_VERSION" ] && ./plain x
/bin/busybox chmod -x script; ./script 2>/dev/null; echo "without x: status $?"
./no-such-program 2>/dev/null; echo "missing: status $?"
/bin/busybox echo $(/bin/busybox seq 1 30000) | /bin/busybox wc -c
set -- $(/bin/busybox seq 1 5000); /bin/busybox echo "$@" | /bin/busybox wc -w
long=$(/bin/busybox head -c 100000 /dev/zero | /bin/busybox tr '\0' x)
/bin/busybox echo "$long" | /bin/busybox wc -c
(exec /bin/busybox echo "exec in a subshell"); echo "shell still here"
cd / && /bin/busybox rm -rf $d
