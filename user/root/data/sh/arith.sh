# arithmetic: operators, precedence, bases, comparisons, assignment forms
echo $(( 7 + 3 * 4 )) $(( (7 + 3) * 4 )) $(( 17 / 5 )) $(( 17 % 5 )) $(( -17 / 5 ))
echo $(( 2 ** 10 )) $(( 1 << 12 )) $(( 0xff )) $(( 010 )) $(( 16#ff )) $(( 2#1011 ))
echo $(( 5 & 3 )) $(( 5 | 3 )) $(( 5 ^ 3 )) $(( ~5 )) $(( !0 )) $(( !7 ))
echo $(( 3 > 2 )) $(( 3 < 2 )) $(( 3 == 3 )) $(( 3 != 3 )) $(( 1 && 0 )) $(( 1 || 0 ))
echo $(( 5 > 3 ? 10 : 20 ))
i=5; i=$((i + 1)); echo $i
(( i += 10 )); echo $i
(( i *= 2, i -= 1 )); echo $i
let "j = i / 3" "k = j % 4"; echo $j $k
x=3; (( x++ )); (( ++x )); echo $x
echo $(( 9223372036854775807 + 1 < 0 ))
n=0; for ((m = 0; m < 10; m += 3)); do n=$((n + m)); done; echo "c-style $n"
(( 0 )); echo "zero status $?"; (( 2 )); echo "nonzero status $?"
