# Processor time as the shells report it: the time keyword (from wait4's rusage, or the
# children's getrusage) and the times builtin, for a busy child. Only facts that hold on any
# machine are printed, never the times.
TIMEFORMAT='%3U'
TIMEFMT='%U'
t=$( { time /bin/busybox sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done'; } 2>&1 )
case $t in
*[1-9]*) echo "time: the child's user time is above zero" ;;
*) echo "time: the child's user time is zero: $t" ;;
esac
times > /tmp/times.out
{ read self; read kids; } < /tmp/times.out
case $kids in
*[1-9]*) echo "times: the children's time is above zero" ;;
*) echo "times: the children's time is zero: $kids" ;;
esac
rm -f /tmp/times.out
