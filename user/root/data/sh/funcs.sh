# functions: arguments, return codes, recursion, local variables, shift
fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }
fib() { local n=$1; if [ $n -lt 2 ]; then echo $n; return; fi
	echo $(( $(fib $((n - 1))) + $(fib $((n - 2))) )); }
echo "10! = $(fact 10)"
echo "fib 12 = $(fib 12)"
status() { return $1; }
status 7; echo "returned $?"
g=global
scope() { local g=local; echo "inside $g"; }
scope; echo "outside $g"
args() { echo "$# args"; while [ $# -gt 0 ]; do echo "- $1"; shift; done; }
args a "b c" '' d
counter=0
bump() { counter=$((counter + $1)); }
for k in 1 2 3 4; do bump $k; done; echo "counter $counter"
twice() { "$@"; "$@"; }
twice echo again
recurse() { [ $1 -gt 0 ] && recurse $(( $1 - 1 )); echo -n "$1 "; }
recurse 5; echo
