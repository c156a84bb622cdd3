#!/bin/bash
# Session 43: the shipping figures of w2 (session 41's candidate,
# recipes/denoise/candidates/denoiser16k_w2_session41.pt) against P2, session 39's default,
# once its float32 path was within 0.01 busy (session41_declaration.md, the session-43 speed
# check and decision: not shipped). Run from the repository root with the candidate copied to
# audiocnn/weights/denoiser16k.pt (git checkout that file afterwards).
set -e
P=${PYTHON:-.venv/bin/python}
export AUDIOCNN_THREADS=2
E=runs/default_session39.pt   # git show cefc683:audiocnn/weights/denoiser16k.pt > runs/default_session39.pt
D=audiocnn/weights/denoiser16k.pt
date > runs/s43_ship_times.txt
$P -m audiocnn.denoise compare --pairs data/denoise_broad/val_ood --checkpoint $E --limit-db 20 > runs/s43_compare.txt 2> runs/s43_compare.err
date >> runs/s43_ship_times.txt
$P recipes/denoise/judge.py default=$D --against $E --pairs data/speech16k/val --digits 3 > runs/s43_judge_indist_default.txt 2>&1
$P recipes/denoise/judge.py default=$D --against $E --pairs data/denoise_broad/val_ood_more --digits 3 > runs/s43_judge_more_default.txt 2>&1
$P bench/denoise_transparency.py --limit-db 20 > runs/s43_transparency_shipped.txt 2>&1
date >> runs/s43_ship_times.txt
