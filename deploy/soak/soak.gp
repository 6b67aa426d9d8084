# The soak's samples (deploy/soak/run.sh): gnuplot -e "csv='...'; png='...'" soak.gp
set datafile separator ","
set terminal png size 1200,900
set output png
if (!exists("heading")) heading = "signalbox soak: node killed with SIGKILL and restarted every cycle"
set multiplot layout 3,1 title heading
set key top left
set xlabel "seconds"
set ylabel "RSS MiB"
plot csv using 1:($3/1024) skip 1 with linespoints title "RSS", \
     csv using 1:($8/1024) skip 1 with linespoints title "anonymous RSS (the node's own memory)", \
     csv using 1:($9*16/1048576) skip 1 with linespoints title "RTOC's samples in RAM, at 16 bytes each", \
     csv using 1:($8/1024 - $9*16/1048576) skip 1 with linespoints title "anonymous RSS less RTOC's samples"
set ylabel "descriptors / connections"
plot csv using 1:5 skip 1 with linespoints title "open descriptors", \
     csv using 1:7 skip 1 with linespoints title "connections"
set ylabel "KiB queued"
plot csv using 1:($6/1024) skip 1 with linespoints title "outbound bytes queued"
unset multiplot
