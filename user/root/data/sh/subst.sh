# command substitution and parameter expansion
x=$(echo hello)
y=`echo world`
echo "$x $y"
echo "nested: $(echo "a $(echo "b $(echo c)")")"
lines=$(printf 'one\ntwo\nthree\n')
echo "$lines" | /bin/busybox wc -l
path=/usr/local/lib/libfoo.so.1
echo "${path##*/} ${path%/*} ${path#/usr/} ${path%%.*}"
echo "${#path} ${path:5:5}"
unset none
echo "${none:-default} ${none-dash} [${none:+set}]"
set -- first second "third arg"
echo "$# $1 ${3}"
for a in "$@"; do echo "arg <$a>"; done
name=World; greeting="Hello, ${name}!"; echo "$greeting"
echo "$(( $(echo 20) + $(echo 22) ))"
count=$(/bin/busybox seq 1 10 | /bin/busybox wc -l); echo "count $count"
v=abc; echo "${v}def $v"'quoted' "$v"
echo "exit status of substitution: $(false; echo $?)"
