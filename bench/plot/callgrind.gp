# bench/callgrind.sh's chart: instructions per operation (valgrind), approov-cpp beside the
# floor (the pre-keyed HMAC alone), per case, with the ratio.
# gnuplot -e "data='callgrind.tsv'; out='callgrind.svg'; subtitle='...'" bench/plot/callgrind.gp
# data: tab-separated, '#' header; case, work, instructions/op, floor instructions/op, ratio,
# heap allocations/op.
set terminal svg size 900,520 dynamic font "sans,12" background rgb "white"
set output out
set datafile separator "\t"
stats data using 3 nooutput
set xrange [-0.6:STATS_records-0.4]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 noborder
set boxwidth 1
set key outside top center horizontal noenhanced
set grid ytics lc rgb "#dddddd"
set xtics scale 0 noenhanced
set yrange [0:*]
set offsets 0, 0, graph 0.15, 0
set ylabel "instructions per operation"
set title "Instructions per verify beside the floor (callgrind)\n{/*0.8 ".subtitle."}"
plot data using 3:xtic(1) title "approov-cpp verify / request check" lc rgb "#2b7bba", \
     '' using 4 title "floor: pre-keyed HMAC-SHA256 only" lc rgb "#9a9a9a", \
     '' using ($0-1.0/6):3:(sprintf("%.0f\n%.2fx floor",$3,$5)) with labels font ",9" offset 0,1.3 notitle, \
     '' using ($0+1.0/6):4:(sprintf("%.0f",$4)) with labels font ",9" offset 0,0.7 notitle
