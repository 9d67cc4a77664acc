# bench/http.sh's chart: req/s, p99 latency and server CPU time per request, per server, valid
# token beside invalid signature.
# gnuplot -e "data='http-chart.tsv'; out='http.svg'; subtitle='...'" bench/plot/http.gp
# data: tab-separated, '#' header; server, valid req/s, invalid req/s, valid p99 ms, invalid
# p99 ms, valid CPU us/req, invalid CPU us/req ("-" where not measured with that token).
set terminal svg size 1000,1080 dynamic font "sans,12" background rgb "white"
set output out
set datafile separator "\t"
stats data using 2 nooutput
set xrange [-0.6:STATS_records-0.4]
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 noborder
set boxwidth 1
set key outside top center horizontal noenhanced
set grid ytics lc rgb "#dddddd"
set xtics scale 0 noenhanced font ",11"
set lmargin 12
set bmargin 3
set offsets 0, 0, graph 0.12, 0
set multiplot layout 3,1 title "HTTP hello server: approov-cpp beside its peers\n{/*0.8 ".subtitle."}\n"
set title "requests per second (higher is better)"
set yrange [0:*]
plot data using 2:xtic(1) title "valid token" lc rgb "#2b7bba", \
     '' using 3 title "invalid signature" lc rgb "#e07b39", \
     '' using ($0-1.0/6):2:(sprintf("%.0f",$2)) with labels font ",9" offset 0,0.7 notitle, \
     '' using ($0+1.0/6):3:(sprintf("%.0f",$3)) with labels font ",9" offset 0,0.7 notitle
set title "p99 latency, ms (lower is better; log scale)"
set logscale y
set yrange [*:*]
set offsets 0, 0, 0, 0
plot data using 4:xtic(1) title "valid token" lc rgb "#2b7bba", \
     '' using 5 title "invalid signature" lc rgb "#e07b39", \
     '' using ($0-1.0/6):4:(sprintf("%.2f",$4)) with labels font ",9" offset 0,0.7 notitle, \
     '' using ($0+1.0/6):5:(sprintf("%.2f",$5)) with labels font ",9" offset 0,0.7 notitle
set title "server CPU time per request, us (lower is better; log scale; steadiest on a shared machine)"
plot data using 6:xtic(1) title "valid token" lc rgb "#2b7bba", \
     '' using 7 title "invalid signature" lc rgb "#e07b39", \
     '' using ($0-1.0/6):6:(sprintf("%.1f",$6)) with labels font ",9" offset 0,0.7 notitle, \
     '' using ($0+1.0/6):7:(sprintf("%.1f",$7)) with labels font ",9" offset 0,0.7 notitle
unset multiplot
