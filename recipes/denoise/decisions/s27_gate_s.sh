#!/bin/bash
# Session 27, second declaration (recipes/denoise/decisions/session27_declaration.md): the
# candidates of the SNR-over-speech step (s). After run (s) has ended (resume it with --resume
# if a session ended first).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
D=runs/default_session23.pt
S=runs/broad16k_default_context_speech/averaged.pt; C=runs/broad16k_default_context/averaged.pt
S24=data/denoise_broad/val_ood_more_seed24
date > runs/s27_gate_s_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 24 > runs/s27_prepare_seed24.txt 2>&1
$P recipes/denoise/pick.py runs/broad16k_default_context_speech --against $D --average 10 --top 0 > runs/s27_pick_s.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s2.pt $D $S > runs/s27_soup_s2.txt 2>&1  # D fitted to s's design
date >> runs/s27_gate_s_times.txt
$P recipes/denoise/judge.py s1=$S s2=runs/soup_s2.pt --against $D --pairs $S24 --digits 4 > runs/s27_judge_s_seed24.txt 2>&1
date >> runs/s27_gate_s_times.txt
$P bench/denoise_transparency.py --checkpoint $S --checkpoint runs/soup_s2.pt > runs/s27_transparency_s.txt 2>&1
date >> runs/s27_gate_s_times.txt
# Reported, deciding nothing: what the SNR's reference changes (s1 against c1)
$P recipes/denoise/judge.py s1=$S --against $C --pairs $S24 --digits 4 > runs/s27_judge_s1_vs_c1_seed24.txt 2>&1
date >> runs/s27_gate_s_times.txt
