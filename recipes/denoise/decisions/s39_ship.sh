#!/bin/bash
# Session 39: p2 ships as the default weights (session39_declaration3.md); the figures for
# the READMEs, against the weights it replaces (E3, session 33's default). Run from the
# repository root after ship.py.
set -e
P=${PYTHON:-.venv/bin/python}
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt
D=audiocnn/weights/denoiser16k.pt
date > runs/s39b_ship_times.txt
$P -m audiocnn.denoise compare --pairs data/denoise_broad/val_ood --checkpoint $E --limit-db 20 > runs/s39b_compare.txt 2> runs/s39b_compare.err
date >> runs/s39b_ship_times.txt
$P recipes/denoise/judge.py default=$D --against $E --pairs data/speech16k/val --digits 3 > runs/s39b_judge_indist_default.txt 2>&1
$P recipes/denoise/judge.py default=$D --against $E --pairs data/denoise_broad/val_ood_more --digits 3 > runs/s39b_judge_more_default.txt 2>&1
$P bench/denoise_transparency.py --limit-db 20 > runs/s39b_transparency_shipped.txt 2>&1
date >> runs/s39b_ship_times.txt
