#!/bin/bash
# Session 35's third declaration, part B (recipes/denoise/decisions/session35_declaration3.md):
# candidates t4 = E3 + t1 + v1 and t5 = E3 x2 + t1 + v1 (against E3), u4 = H3 + u1 + w1 and
# u5 = H3 x2 + u1 + w1 (against H3). After runs (v) and (w) have ended (--resume them if a
# session ended first). If part A shipped a kind's candidate, judge that kind's against it too.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; H=runs/gentle_session33.pt
RT=runs/broad16k_default_context_creatures_fillets; RU=runs/broad16k_gentle_context_creatures_fillets
RV=${RT}_seed72; RW=${RU}_seed73
S58=data/denoise_broad/val_ood_more_seed58
date > runs/s35c_gate_times.txt
$P recipes/denoise/pick.py $RV --against $E --average 10 --top 0 > runs/s35c_pick_v.txt 2>&1
$P recipes/denoise/pick.py $RW --against $H --average 10 --top 0 > runs/s35c_pick_w.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 58 > runs/s35c_prepare_seed58.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s35_t4.pt $E $RT/averaged.pt $RV/averaged.pt > runs/s35c_soup_t4.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s35_t5.pt $E $E $RT/averaged.pt $RV/averaged.pt > runs/s35c_soup_t5.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s35_u4.pt $H $RU/averaged.pt $RW/averaged.pt > runs/s35c_soup_u4.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s35_u5.pt $H $H $RU/averaged.pt $RW/averaged.pt > runs/s35c_soup_u5.txt 2>&1
$P recipes/denoise/judge.py t4=runs/soup_s35_t4.pt t5=runs/soup_s35_t5.pt --against $E --pairs $S58 --digits 4 > runs/s35c_judge_t_seed58.txt 2>&1
$P recipes/denoise/judge.py u4=runs/soup_s35_u4.pt u5=runs/soup_s35_u5.pt --against $H --pairs $S58 --digits 4 > runs/s35c_judge_u_seed58.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s35_t4.pt --checkpoint runs/soup_s35_t5.pt --checkpoint runs/soup_s35_u4.pt --checkpoint runs/soup_s35_u5.pt > runs/s35c_transparency.txt 2>&1
$P recipes/denoise/noise_alone.py --checkpoint $RV/averaged.pt --checkpoint $RW/averaged.pt --other "noisy input" > runs/s35c_noise_alone.txt 2>&1
date >> runs/s35c_gate_times.txt
