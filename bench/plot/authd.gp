# bench/authd.sh's chart: req/s, p99 latency and server CPU time per request, per setup (A-E,
# see bench/authd.sh).
# gnuplot -e "data='authd-chart.tsv'; out='authd.svg'; subtitle='...'" bench/plot/authd.gp
# data: tab-separated, '#' header; setup, req/s, p99 ms, server CPU us/req.
set datafile separator "\t"
stats data using 2 nooutput
# about 170 points of width per setup, so that the labels never overlap
width = sprintf("%d", STATS_records * 170 > 1000 ? STATS_records * 170 : 1000)
set terminal svg size @width,1080 dynamic font "sans,12" background rgb "white"
set output out
set xrange [-0.6:STATS_records-0.4]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 noborder
set boxwidth 0.8
set key off
set grid ytics lc rgb "#dddddd"
set xtics scale 0 noenhanced font ",10"
set lmargin 12
set bmargin 3
set offsets 0, 0, graph 0.12, 0
set multiplot layout 3,1 title "approov-authd beside nginx and HAProxy\n{/*0.8 ".subtitle."}\n"
set title "requests per second (higher is better)"
set yrange [0:*]
plot data using 2:xtic(1) lc rgb "#2b7bba", \
     '' using 0:2:(sprintf("%.0f",$2)) with labels font ",9" offset 0,0.7
set title "p99 latency, ms (lower is better)"
plot data using 3:xtic(1) lc rgb "#e07b39", \
     '' using 0:3:(sprintf("%.2f",$3)) with labels font ",9" offset 0,0.7
set title "server CPU time per request, us (nginx and sidecar together for D and E; lower is better)"
plot data using 4:xtic(1) lc rgb "#5a9e5a", \
     '' using 0:4:(sprintf("%.1f",$4)) with labels font ",9" offset 0,0.7
unset multiplot
