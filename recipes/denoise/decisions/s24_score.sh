#!/bin/bash
# Session 24: scoring as declared in recipes/denoise/decisions/session24_declaration.md (gate first).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
D=runs/default_session21.pt; G=runs/gentle_session21.pt
BD=runs/default_session23.pt; BG=runs/gentle_session23.pt
Y=runs/broad16k_gentle_octave/averaged.pt
A=runs/broad16k_gentle_octave2/averaged.pt; H=runs/broad16k_gentle_octave_heavy/averaged.pt
S11=data/denoise_broad/val_ood_more_seed11; M=data/denoise_broad/val_ood_more
export AUDIOCNN_THREADS=2
date > runs/s24_times.txt
$P recipes/denoise/pick.py runs/broad16k_gentle_octave2 --against $G --average 10 --top 0 > runs/s24_pick_a.txt 2>&1
$P recipes/denoise/pick.py runs/broad16k_gentle_octave_heavy --against $G --average 10 --top 0 > runs/s24_pick_h.txt 2>&1
$P recipes/denoise/soup.py runs/soup_g1.pt $G $G $G $G $G $G $Y $A > runs/s24_soup_g1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_g2.pt $G $G $G $Y $A > runs/s24_soup_g2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_g3.pt $G $G $G $Y $A $H > runs/s24_soup_g3.txt 2>&1
$P recipes/denoise/soup.py runs/soup_d1.pt $D $D $Y $A > runs/s24_soup_d1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_d2.pt $D $D $Y $H > runs/s24_soup_d2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_d3.pt $D $D $D $Y $A $H > runs/s24_soup_d3.txt 2>&1
date >> runs/s24_times.txt
$P recipes/denoise/judge.py g1=runs/soup_g1.pt g2=runs/soup_g2.pt g3=runs/soup_g3.pt --against $BG --pairs $S11 --digits 4 > runs/s24_judge_gentle_seed11.txt 2>&1
$P recipes/denoise/judge.py d1=runs/soup_d1.pt d2=runs/soup_d2.pt d3=runs/soup_d3.pt --against $BD --pairs $S11 --digits 4 > runs/s24_judge_default_seed11.txt 2>&1
date >> runs/s24_times.txt
$P bench/denoise_transparency.py --checkpoint $A --checkpoint $H --checkpoint runs/soup_g1.pt --checkpoint runs/soup_g2.pt --checkpoint runs/soup_g3.pt --checkpoint runs/soup_d1.pt --checkpoint runs/soup_d2.pt --checkpoint runs/soup_d3.pt > runs/s24_transparency.txt 2>&1
date >> runs/s24_times.txt
$P recipes/denoise/judge.py a=$A h=$H g1=runs/soup_g1.pt g2=runs/soup_g2.pt g3=runs/soup_g3.pt --against $BG --pairs $M --digits 4 > runs/s24_judge_gentle_more.txt 2>&1
$P recipes/denoise/judge.py d1=runs/soup_d1.pt d2=runs/soup_d2.pt d3=runs/soup_d3.pt --against $BD --pairs $M --digits 4 > runs/s24_judge_default_more.txt 2>&1
date >> runs/s24_times.txt
