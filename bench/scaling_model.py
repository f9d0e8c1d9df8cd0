#!/usr/bin/env python3
"""scaling_model.py — on paper: the expected time of the paper's ZhangLab run
and of scoring 10^6 images on 1, 8 and 64 nodes of 32 cores, from the
measurements of this machine (bench/RESULTS.md). Prints a markdown section.

Model (every assumption is a parameter below, printed with the table):
- A rank per node, 32 threads. Work measured on 2 cores is turned into
  core-seconds and spread over 32 cores with a threading efficiency EFF (the
  towers' matrix products at micro-batch 16 have 800 rows: 32 threads will not
  use every core fully; EFF is an assumption, not a measurement).
- Training step (batch 64, micro-batch 16, 5 positions drawn uniformly): on
  average 51.2 samples need the image-tower backward and 12.8 do not, i.e.
  4 backward micro-batches of 12.8 and 4 forward-only pieces of 3.2. ppad
  gives them to ranks by cost (a backward sample = 2 forward ones, as
  measured) and the step takes as long as the busiest rank, plus the text
  tower (TEXT_FRAC of the one-process step, in two groups: halved from 2
  ranks on), plus the exchange of the gradient records (BYTES_STEP at
  LINK_GBPS, plus LAT per exchange).
- Scoring: images/s per core from the 2-core measurement; chunks of 32 spread
  round-robin, so it scales until the file system cannot feed the decoders
  (IMG_MB per study from shared storage)."""
import argparse
import math

ap = argparse.ArgumentParser()
ap.add_argument("--step-s", type=float, default=2.30, help="one-process step, batch 64, fp32, on CORES cores (s)")
ap.add_argument("--step-bf16-s", type=float, default=1.30)
ap.add_argument("--score-ips", type=float, default=9.16, help="images/s fp32 on CORES cores (5 positions)")
ap.add_argument("--score-bf16-ips", type=float, default=17.69)
ap.add_argument("--cores", type=int, default=2)
ap.add_argument("--text-frac", type=float, default=0.06, help="text tower fwd+bwd / one-process step")
ap.add_argument("--bytes-step", type=float, default=757840, help="bytes sent per step by all ranks (2 ranks)")
ap.add_argument("--mpi-overhead", type=float, default=0.0, help="measured (2x1 / 1x2) - 1, informational")
ap.add_argument("--eff", type=float, default=0.7)
ap.add_argument("--node-cores", type=int, default=32)
ap.add_argument("--link-gbps", type=float, default=10.0)
ap.add_argument("--lat", type=float, default=50e-6)
ap.add_argument("--img-mb", type=float, default=1.0)
a = ap.parse_args()

NODES = [1, 8, 64]
MB = [(12.8, 1)] * 4 + [(3.2, 0)] * 4  # (samples, backward?) of an average step
cost = [n * (2 if b else 1) for n, b in MB]


def busiest(ranks):
    load = [0] * ranks
    for c in cost:
        r = min(range(ranks), key=lambda i: (load[i], i))
        load[r] += c
    return max(load) / sum(cost)


def step_time(step_s, nodes):
    work = step_s * a.cores  # core-seconds per step
    speed = a.node_cores * a.eff  # effective cores per node
    img = work * (1 - a.text_frac) * busiest(nodes) / speed
    text = work * a.text_frac / speed / min(nodes, 2)  # two text groups
    comm = 0.0
    if nodes > 1:  # every rank receives the others' records; 3 small exchanges besides
        per_rank = a.bytes_step / 2  # bytes of all records of a step (measured with 2 ranks: each got the other's)
        comm = per_rank * 8 / (a.link_gbps * 1e9) + 4 * a.lat * math.ceil(math.log2(nodes))
    return img + text + comm, busiest(nodes)


def score_time(ips, n, nodes):
    per_node = ips / a.cores * a.node_cores * a.eff
    return n / (per_node * nodes)


def hms(s):
    if s < 120:
        return "%.1f s" % s
    if s < 7200:
        return "%.1f min" % (s / 60)
    return "%.1f h" % (s / 3600)


print("| | 1 node | 8 nodes | 64 nodes |")
print("|---|---:|---:|---:|")
for lab, ss, ips in (("fp32", a.step_s, a.score_ips), ("bf16", a.step_bf16_s, a.score_bf16_ips)):
    row_s, row_r, row_c = [], [], []
    for n in NODES:
        st, frac = step_time(ss, n)
        # ZhangLab, paper settings: 64 shots, batch 64, 100 epochs = 100 steps, then the 624 test images
        run = 100 * st + score_time(ips, 624, n)
        row_s.append("%.3f s (busiest rank %.0f%%)" % (st, 100 * frac))
        row_r.append(hms(run))
        row_c.append(hms(score_time(ips, 1e6, n)))
    print("| training step, batch 64 (%s) | %s |" % (lab, " | ".join(row_s)))
    print("| ZhangLab paper run: 100 steps + 624 test images (%s) | %s |" % (lab, " | ".join(row_r)))
    print("| scoring 10^6 images (%s) | %s |" % (lab, " | ".join(row_c)))
print()
need = 1e6 / score_time(a.score_bf16_ips, 1e6, 64) * a.img_mb / 1e3
print("Assumptions: %d cores per node at %.0f%% threading efficiency (assumed), text tower %.0f%% of a one-process"
      " step, %.0f Gb/s links with %.0f µs latency, %.0f MB per study read from shared storage; inputs: step %.2f s"
      " (fp32) / %.2f s (bf16) and scoring %.2f / %.2f images/s on %d cores (the quiet-machine rows 3a, 3e, 4a, 4c),"
      " %.0f bytes exchanged per step. Scoring at 64 nodes (bf16) needs the file system to deliver ~%.1f GB/s."
      % (a.node_cores, 100 * a.eff, 100 * a.text_frac, a.link_gbps, a.lat * 1e6, a.img_mb, a.step_s, a.step_bf16_s,
         a.score_ips, a.score_bf16_ips, a.cores, a.bytes_step, need))
