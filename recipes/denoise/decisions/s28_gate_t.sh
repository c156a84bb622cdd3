#!/bin/bash
# Session 28, first declaration (recipes/denoise/decisions/session27_declaration.md): candidate
# (t) = D, c1, s1 weighted 2:1:1, scored only if nothing of session 27's second declaration
# ships. Needs runs/broad16k_default_context{,_speech}/averaged.pt (pick.py, s27_gate_s.sh).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
D=runs/default_session23.pt
S=runs/broad16k_default_context_speech/averaged.pt; C=runs/broad16k_default_context/averaged.pt
S26=data/denoise_broad/val_ood_more_seed26
date > runs/s28_gate_t_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 26 > runs/s28_prepare_seed26.txt 2>&1
$P recipes/denoise/soup.py runs/soup_cs.pt $C $S > runs/s28_soup_cs.txt 2>&1
$P recipes/denoise/soup.py runs/soup_t.pt $D runs/soup_cs.pt > runs/s28_soup_t.txt 2>&1
date >> runs/s28_gate_t_times.txt
$P recipes/denoise/judge.py t=runs/soup_t.pt --against $D --pairs $S26 --digits 4 > runs/s28_judge_t_seed26.txt 2>&1
date >> runs/s28_gate_t_times.txt
$P bench/denoise_transparency.py --checkpoint runs/soup_t.pt > runs/s28_transparency_t.txt 2>&1
date >> runs/s28_gate_t_times.txt
