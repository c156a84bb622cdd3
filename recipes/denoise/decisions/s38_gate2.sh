#!/bin/bash
# Session 38's second declaration (recipes/denoise/decisions/session38_declaration2.md):
# default candidates n1 = E3 x4 + f1 + g1 and n2 = E3 x2 + f1 + g1 against E3 on
# val_ood_more_seed68 (built here, after run (g) has ended; --resume it if a session ended
# first). f1 is the last-10 mean of run (f) (seed 83; s38_gate.sh made it).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt
RF=runs/broad16k_default_context_creatures_fillets_steady; RG=${RF}_seed84
S68=data/denoise_broad/val_ood_more_seed68
date > runs/s38b_gate_times.txt
$P recipes/denoise/pick.py $RG --against $E --average 10 --top 0 > runs/s38b_pick_g.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 68 > runs/s38b_prepare_seed68.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s38_n1.pt $E $E $E $E $RF/averaged.pt $RG/averaged.pt > runs/s38b_soup_n1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s38_n2.pt $E $E $RF/averaged.pt $RG/averaged.pt > runs/s38b_soup_n2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s38_g.pt $E $E $RG/averaged.pt > runs/s38b_soup_g.txt 2>&1
$P recipes/denoise/judge.py n1=runs/soup_s38_n1.pt n2=runs/soup_s38_n2.pt g=runs/soup_s38_g.pt --against $E --pairs $S68 --digits 4 > runs/s38b_judge_n_seed68.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s38_n1.pt --checkpoint runs/soup_s38_n2.pt > runs/s38b_transparency.txt 2>&1
date >> runs/s38b_gate_times.txt
