#!/bin/bash
# Session 41's declaration: the gate's winner w2 (runs/soup_s41_w2.pt, from s41_gate.sh)
# checked once against P2 on val_ood_more_seed85, built here after the gate's decision.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
P2=runs/default_session39.pt
S85=data/denoise_broad/val_ood_more_seed85
date > runs/s41_confirm_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 85 > runs/s41_prepare_seed85.txt 2>&1
$P recipes/denoise/judge.py w2=runs/soup_s41_w2.pt --against $P2 --pairs $S85 --digits 4 > runs/s41_judge_seed85.txt 2>&1
date >> runs/s41_confirm_times.txt
