#!/bin/bash
# Session 45's declaration (recipes/denoise/decisions/session45_declaration.md): default
# candidates from the octave step with the game voices drawn only at SNR >= 10 dB,
# m1 = P2 x4 + e1 + f1, m2 = P2 x8 + a1 + b1 + e1 + f1 and m3 = P2 x4 + a1 + b1 + e1 + f1
# (a1, b1: session 44's runs at 5 dB), against h1 (the default shipped in session 44) on
# val_ood_more_seed90 (built here, after runs (e) and (f) have ended; --resume them if a
# session ended first); session 44's h3 and P2 x2 + e1 reported.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
P2=runs/default_session39.pt; H1=runs/default_session44.pt
RA=runs/broad16k_default_context_creatures_fillets_steady_octave_p2_highsnr; RB=${RA}_seed96
RE=${RA}10; RF=${RA}10_seed100
S90=data/denoise_broad/val_ood_more_seed90
date > runs/s45_gate_times.txt
$P recipes/denoise/pick.py $RE --against $P2 --average 10 --top 0 > runs/s45_pick_e.txt 2>&1
$P recipes/denoise/pick.py $RF --against $P2 --average 10 --top 0 > runs/s45_pick_f.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 90 > runs/s45_prepare_seed90.txt 2>&1
A=$RA/averaged.pt; B=$RB/averaged.pt; E=$RE/averaged.pt; F=$RF/averaged.pt
$P recipes/denoise/soup.py runs/soup_s45_m1.pt $P2 $P2 $P2 $P2 $E $F > runs/s45_soup_m1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s45_m2.pt $P2 $P2 $P2 $P2 $P2 $P2 $P2 $P2 $A $B $E $F > runs/s45_soup_m2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s45_m3.pt $P2 $P2 $P2 $P2 $A $B $E $F > runs/s45_soup_m3.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s45_e.pt $P2 $P2 $E > runs/s45_soup_e.txt 2>&1
$P recipes/denoise/judge.py m1=runs/soup_s45_m1.pt m2=runs/soup_s45_m2.pt m3=runs/soup_s45_m3.pt h3=runs/soup_s44_h3.pt e=runs/soup_s45_e.pt --against $H1 --pairs $S90 --digits 4 > runs/s45_judge_seed90.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s45_m1.pt --checkpoint runs/soup_s45_m2.pt --checkpoint runs/soup_s45_m3.pt > runs/s45_transparency.txt 2>&1
date >> runs/s45_gate_times.txt
