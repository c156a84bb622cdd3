#!/bin/bash
# Session 33's declaration (recipes/denoise/decisions/session33_declaration.md): candidates
# x5, x6 (default kind, against E) and y5, y6 (gentle kind, against H). After the three runs of
# each kind have ended (session 32's vocal and vocal2, session 33's vocal3; --resume any cut short).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session29.pt; H=runs/gentle_session30.pt
D=runs/broad16k_default_context_vocal; G=runs/broad16k_gentle_context_vocal
S44=data/denoise_broad/val_ood_more_seed44
date > runs/s33_gate_times.txt
for R in ${D}2 ${G}2; do [ -f $R/averaged.pt ] || { echo "$R/averaged.pt: run s32_gate2.sh first"; exit 2; }; done
$P recipes/denoise/pick.py ${D}3 --against $E --average 10 --top 0 > runs/s33_pick_x3.txt 2>&1
$P recipes/denoise/pick.py ${G}3 --against $H --average 10 --top 0 > runs/s33_pick_y3.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 44 > runs/s33_prepare_seed44.txt 2>&1
XS="$D/averaged.pt ${D}2/averaged.pt ${D}3/averaged.pt"
YS="$G/averaged.pt ${G}2/averaged.pt ${G}3/averaged.pt"
$P recipes/denoise/soup.py runs/soup_s33_x5.pt $E $XS > runs/s33_soup_x5.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s33_x6.pt $E $E $E $XS > runs/s33_soup_x6.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s33_y5.pt $H $YS > runs/s33_soup_y5.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s33_y6.pt $H $H $H $YS > runs/s33_soup_y6.txt 2>&1
date >> runs/s33_gate_times.txt
$P recipes/denoise/judge.py x5=runs/soup_s33_x5.pt x6=runs/soup_s33_x6.pt --against $E --pairs $S44 --digits 4 > runs/s33_judge_x_seed44.txt 2>&1
$P recipes/denoise/judge.py y5=runs/soup_s33_y5.pt y6=runs/soup_s33_y6.pt --against $H --pairs $S44 --digits 4 > runs/s33_judge_y_seed44.txt 2>&1
date >> runs/s33_gate_times.txt
$P bench/denoise_transparency.py --checkpoint runs/soup_s33_x5.pt --checkpoint runs/soup_s33_x6.pt --checkpoint runs/soup_s33_y5.pt --checkpoint runs/soup_s33_y6.pt > runs/s33_transparency.txt 2>&1
date >> runs/s33_gate_times.txt
# Reported, not gating
$P recipes/denoise/noise_alone.py --checkpoint runs/soup_s33_x6.pt --checkpoint runs/soup_s33_y6.pt > runs/s33_noise_alone.txt 2>&1
$P recipes/denoise/gap.py --pairs $S44 --checkpoint $E --other runs/soup_s33_x6.pt > runs/s33_gap_x6_seed44.txt 2>&1
date >> runs/s33_gate_times.txt
