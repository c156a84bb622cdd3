#!/bin/bash
# Session 29's declaration (recipes/denoise/decisions/session29_declaration.md): the candidates
# of the step from E (x2, y2, z). After runs (x) and (y) have ended (resume them with --resume
# if a session ended first).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session29.pt
X=runs/broad16k_default_context_speech3; Y=runs/broad16k_default_context_speech3_clean2
S30=data/denoise_broad/val_ood_more_seed30
date > runs/s29_gate_xy_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 30 > runs/s29_prepare_seed30.txt 2>&1
$P recipes/denoise/pick.py $X --against $E --average 10 --top 0 > runs/s29_pick_x.txt 2>&1
$P recipes/denoise/pick.py $Y --against $E --average 10 --top 0 > runs/s29_pick_y.txt 2>&1
$P recipes/denoise/soup.py runs/soup_x2.pt $E $X/averaged.pt > runs/s29_soup_x2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_y2.pt $E $Y/averaged.pt > runs/s29_soup_y2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_xy.pt $X/averaged.pt $Y/averaged.pt > runs/s29_soup_xy.txt 2>&1
$P recipes/denoise/soup.py runs/soup_z.pt $E runs/soup_xy.pt > runs/s29_soup_z.txt 2>&1
date >> runs/s29_gate_xy_times.txt
$P recipes/denoise/judge.py x2=runs/soup_x2.pt y2=runs/soup_y2.pt z=runs/soup_z.pt --against $E --pairs $S30 --digits 4 > runs/s29_judge_xy_seed30.txt 2>&1
date >> runs/s29_gate_xy_times.txt
$P bench/denoise_transparency.py --checkpoint runs/soup_x2.pt --checkpoint runs/soup_y2.pt --checkpoint runs/soup_z.pt > runs/s29_transparency_xy.txt 2>&1
date >> runs/s29_gate_xy_times.txt
