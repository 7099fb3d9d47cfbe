#!/usr/bin/python3
"""PyTorch side of `bench ... vs-pytorch`: the same rows as AttentionSharp, written the PyTorch way.

Rows (each one training step or forward+backward, float32, CPU):
  mha N      nn.MultiheadAttention(512, 8, batch_first=True) self-attention on x (4, N, 512), forward + backward of out.sum()
  ram        one Recurrent Attention Model training step (Mnih et al. 2014; the model of src/AttentionSharp/Models/RecurrentAttention
             with the ram-step bench's settings): B=128 canvases 60x60, 6 glimpses of 12x12 at 3 scales (summed-area-table sensor),
             glimpse net 128+128 -> 256, LSTM core 256, linear Gaussian policy (std 0.1), baseline, hybrid loss, Adam
  seq2seq    one Bahdanau encoder-decoder training step (src/AttentionSharp/Models/Seq2Seq, arch bahdanau): two GRU encoders
             (forward, and backward over each sequence reversed within its length), additive attention, GRUCell decoder, teacher
             forcing, cross-entropy ignoring padding, Adam
  dispatch   1000 additions of two 16-element tensors: the fixed cost of calling one op
  gemm       20 products (128 x 256) @ (256 x 1024): the matrix-multiply library each side calls

Usage:
  python3 peer.py                   run every row alone and print a table (ms per step)
  python3 peer.py --info            print 'torch VERSION threads N' and exit
  python3 peer.py --profile ROW [N] one step of a row under torch.autograd.profiler: op counts and self times
  python3 peer.py --serve           read commands 'ROW[:PART] [N] REPS' on stdin (parts: ram:table, ram:sensor, ram:fwd, ram:fwdbwd, ram:adam, seq2seq:fwd, seq2seq:fwdbwd), answer one JSON line each: {"ms": [...], "cpu_ms": [...]}
Options: --threads N (default 1: intra-op and inter-op threads).
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- multi-head attention

class MhaRow:
    def __init__(self, n, batch=4, heads=8, head_dim=64):
        torch.manual_seed(1)
        e = heads * head_dim
        self.m = nn.MultiheadAttention(e, heads, batch_first=True)
        self.x = torch.randn(batch, n, e)

    def step(self):
        x = self.x.detach().requires_grad_()
        out, _ = self.m(x, x, x, need_weights=False)
        out.sum().backward()
        self.m.zero_grad(set_to_none=True)


# ---------------------------------------------------------------- recurrent attention model

class GlimpseSensor:
    """Summed-area-table retina: k square patches g*2^s wide centred at l in [-1, 1]^2, each averaged down to g x g."""

    def __init__(self, patch, scales, height, width):
        self.g, self.k, self.h, self.w = patch, scales, height, width

    def table(self, images):
        b, c = images.shape[:2]
        x = images.detach().double()
        s = F.pad(x.cumsum(2).cumsum(3), (1, 0, 1, 0))                      # (B, C, H+1, W+1)
        return s.reshape(b * c, (self.h + 1) * (self.w + 1)), b, c, images.dtype

    def extract(self, table, locations):
        sums, b, c, dtype = table
        g, e = self.g, self.g + 1
        l = locations.detach().double().clamp(-1.0, 1.0)
        col = (0.5 * (l[:, 0] + 1.0) * self.w).floor().long().clamp(0, self.w)
        row = (0.5 * (l[:, 1] + 1.0) * self.h).floor().long().clamp(0, self.h)
        steps = torch.arange(e)
        idx = []
        for s in range(self.k):
            crop = g << s
            q = crop // g
            rows = ((row - crop // 2).unsqueeze(1) + steps.unsqueeze(0) * q).clamp(0, self.h)
            cols = ((col - crop // 2).unsqueeze(1) + steps.unsqueeze(0) * q).clamp(0, self.w)
            idx.append((rows.unsqueeze(2) * (self.w + 1) + cols.unsqueeze(1)).reshape(b, 1, e * e))
        index = torch.cat(idx, 1).reshape(b, 1, self.k * e * e).expand(b, c, self.k * e * e).reshape(b * c, self.k * e * e)
        corners = sums.gather(1, index).reshape(b, c, self.k, e, e)
        blocks = corners[..., 1:, 1:] - corners[..., :-1, 1:] - corners[..., 1:, :-1] + corners[..., :-1, :-1]
        area = torch.tensor([1.0 / ((g << s) // g) ** 2 for s in range(self.k)], dtype=torch.float64).reshape(1, 1, self.k, 1, 1)
        return (blocks * area).permute(0, 2, 1, 3, 4).to(dtype).contiguous()  # (B, k, C, g, g)


class Ram(nn.Module):
    def __init__(self, size=60, patch=12, scales=3, glimpses=6, hidden=128, out=256, core=256, classes=10, std=0.1):
        super().__init__()
        self.sensor = GlimpseSensor(patch, scales, size, size)
        self.glimpses, self.std, self.core_units = glimpses, std, core
        self.what = nn.Linear(scales * patch * patch, hidden)
        self.where = nn.Linear(2, hidden)
        self.what_out = nn.Linear(hidden, out)
        self.where_out = nn.Linear(hidden, out)
        self.core = nn.LSTMCell(out, core)
        self.mean = nn.Linear(core, 2)
        self.baseline = nn.Linear(core, 1)
        self.action = nn.Linear(core, classes)

    def forward(self, images):
        b = images.shape[0]
        h = torch.zeros(b, self.core_units)
        c = torch.zeros(b, self.core_units)
        l = torch.rand(b, 2) * 2 - 1
        table = self.sensor.table(images)
        log_pis, baselines = [], []
        for t in range(self.glimpses):
            rho = self.sensor.extract(table, l).flatten(1)
            hg = F.relu(self.what(rho))
            hl = F.relu(self.where(l.detach()))
            g = F.relu(self.what_out(hg) + self.where_out(hl))
            h, c = self.core(g, (h, c))
            if t < self.glimpses - 1:
                baselines.append(self.baseline(h.detach()).squeeze(1))
                mu = torch.tanh(self.mean(h.detach()))
                with torch.no_grad():
                    sample = (mu + self.std * torch.randn_like(mu)).detach()
                log_pis.append((-(sample - mu).pow(2) / (2 * self.std ** 2) - math.log(self.std) - 0.5 * math.log(2 * math.pi)).sum(1))
                l = sample.clamp(-1.0, 1.0).detach()
        return F.log_softmax(self.action(h), 1), torch.stack(log_pis, 1), torch.stack(baselines, 1)


class RamRow:
    def __init__(self, batch=128, size=60, glimpses=6, reinforce_weight=0.01):
        torch.manual_seed(1)
        self.model = Ram(size=size, glimpses=glimpses)
        self.opt = torch.optim.Adam(self.model.parameters(), 1e-3)
        self.images = torch.rand(batch, 1, size, size)
        self.labels = torch.randint(0, 10, (batch,))
        self.locations = torch.rand(batch, 2) * 2 - 1
        self.w = reinforce_weight

    def loss(self):
        log_probs, log_pis, baselines = self.model(self.images)
        nll = F.nll_loss(log_probs, self.labels)
        reward = log_probs.argmax(1).eq(self.labels).to(log_probs.dtype).detach()
        target = reward.unsqueeze(1).expand_as(baselines)
        mse = F.mse_loss(baselines, target)
        reinforce = -(log_pis * (target - baselines.detach())).sum(1).mean()
        return nll + mse + self.w * reinforce

    def part(self, name):
        """Parts of the step for the breakdown: table (the sensor's summed-area table), sensor (the table and 6 extractions),
        fwd (rollout and loss), fwdbwd (and backward), adam (the optimizer step alone, on the gradients of one backward)."""
        if name == "table":
            return lambda: self.model.sensor.table(self.images)
        if name == "sensor":
            def sensor():
                table = self.model.sensor.table(self.images)
                for _ in range(self.model.glimpses):
                    self.model.sensor.extract(table, self.locations)
            return sensor
        if name == "fwd":
            return lambda: self.loss()
        if name == "fwdbwd":
            return lambda: (self.opt.zero_grad(), self.loss().backward())
        if name == "adam":
            self.opt.zero_grad()
            self.loss().backward()
            return lambda: self.opt.step()
        raise ValueError(f"ram has no part '{name}' (table, sensor, fwd, fwdbwd, adam)")

    def step(self):
        self.opt.zero_grad()
        self.loss().backward()
        self.opt.step()


# ---------------------------------------------------------------- Bahdanau seq2seq

class Bahdanau(nn.Module):
    def __init__(self, vocab, emb, hidden):
        super().__init__()
        hd = 2 * hidden
        self.hidden = hidden
        self.source_embedding = nn.Embedding(vocab, emb, padding_idx=0)
        self.target_embedding = nn.Embedding(vocab, emb, padding_idx=0)
        self.forward_rnn = nn.GRU(emb, hidden, batch_first=True)
        self.backward_rnn = nn.GRU(emb, hidden, batch_first=True)
        self.W_a = nn.Linear(hd, hd, bias=False)
        self.U_a = nn.Linear(2 * hidden, hd)
        self.v_a = nn.Linear(hd, 1, bias=False)
        self.cell = nn.GRUCell(emb + 2 * hidden, hd)
        self.init = nn.Linear(hidden, hd)
        self.output = nn.Linear(hd + 2 * hidden + emb, hd)
        self.generator = nn.Linear(hd, vocab)

    def forward(self, source, mask, target_in):
        x = self.source_embedding(source)                                      # (B, S, E)
        b, s, e = x.shape
        h = self.hidden
        lengths = mask.sum(1)
        pos = torch.arange(s).unsqueeze(0)
        ln = lengths.unsqueeze(1)
        reverse = torch.where(pos < ln, ln - 1 - pos, pos)                      # (B, S)
        out_f, _ = self.forward_rnn(x)
        out_b_rev, _ = self.backward_rnn(x.gather(1, reverse.unsqueeze(-1).expand(b, s, e)))
        out_b = out_b_rev.gather(1, reverse.unsqueeze(-1).expand(b, s, h))
        annotations = torch.cat([out_f, out_b], 2) * mask.unsqueeze(-1).to(x.dtype)  # (B, S, 2H)
        keys = self.U_a(annotations)                                           # (B, S, Hd)
        state = torch.tanh(self.init(out_b[:, 0]))                              # (B, Hd)
        embedded = self.target_embedding(target_in)                            # (B, T, E)
        lowest = torch.finfo(x.dtype).min
        outputs = []
        for t in range(target_in.shape[1]):
            y = embedded[:, t]
            scores = self.v_a(torch.tanh(self.W_a(state).unsqueeze(1).unsqueeze(2) + keys.unsqueeze(1))).squeeze(-1)  # (B, 1, S)
            weights = scores.masked_fill(~mask.unsqueeze(1), lowest).softmax(-1)
            context = torch.matmul(weights, annotations).squeeze(1)            # (B, 2H)
            state = self.cell(torch.cat([y, context], 1), state)
            outputs.append(torch.tanh(self.output(torch.cat([state, context, y], 1))))
        return self.generator(torch.stack(outputs, 1))                         # (B, T, V)


class Seq2SeqRow:
    def __init__(self, batch=64, source=20, target=20, vocab=2000, emb=64, hidden=128):
        torch.manual_seed(1)
        self.model = Bahdanau(vocab, emb, hidden)
        self.opt = torch.optim.Adam(self.model.parameters(), 1e-3)
        lengths = source // 2 + torch.arange(batch) % (source // 2 + 1)        # 10..20, as on our side
        self.mask = torch.arange(source).unsqueeze(0) < lengths.unsqueeze(1)
        self.source = torch.randint(4, vocab, (batch, source)) * self.mask
        self.target_in = torch.randint(4, vocab, (batch, target))
        self.target_out = torch.randint(4, vocab, (batch, target))
        self.vocab = vocab

    def loss(self):
        logits = self.model(self.source, self.mask, self.target_in)
        return F.cross_entropy(logits.reshape(-1, self.vocab), self.target_out.reshape(-1), ignore_index=0)

    def part(self, name):
        """Parts of the step for the breakdown: fwd (teacher-forced forward and loss), fwdbwd (and backward)."""
        if name == "fwd":
            return lambda: self.loss()
        if name == "fwdbwd":
            return lambda: (self.opt.zero_grad(), self.loss().backward())
        raise ValueError(f"seq2seq has no part '{name}' (fwd, fwdbwd)")

    def step(self):
        self.opt.zero_grad()
        self.loss().backward()
        self.opt.step()


# ---------------------------------------------------------------- per-op overhead

class DispatchRow:
    """1000 element-wise additions of two 16-element tensors: the fixed cost of one op call, nearly no arithmetic."""

    def __init__(self, ops=1000):
        self.a, self.b, self.ops = torch.randn(16), torch.randn(16), ops

    def step(self):
        a, b = self.a, self.b
        for _ in range(self.ops):
            c = a + b


class GemmRow:
    """20 matrix products (128 x 256) @ (256 x 1024), the size of the RAM core's LSTM gates: the BLAS each side calls."""

    def __init__(self, reps=20):
        torch.manual_seed(1)
        self.a, self.b, self.reps = torch.randn(128, 256), torch.randn(256, 1024), reps

    def step(self):
        for _ in range(self.reps):
            torch.mm(self.a, self.b)


# ---------------------------------------------------------------- driver

class Part:
    """One part of a row's step (ROW:PART), timed like a row."""

    def __init__(self, runner, name):
        self.step = runner.part(name)


def make(row, n):
    if ":" in row:
        whole, part = row.split(":", 1)
        return Part(make(whole, n), part)
    if row == "mha":
        return MhaRow(n)
    if row == "ram":
        return RamRow()
    if row == "seq2seq":
        return Seq2SeqRow()
    if row == "dispatch":
        return DispatchRow()
    if row == "gemm":
        return GemmRow()
    raise ValueError(f"unknown row '{row}' (mha N, ram, seq2seq, dispatch, gemm)")


def timed(runner, reps):
    """Wall and process CPU milliseconds of each of reps steps (CPU time is what a shared machine disturbs least)."""
    ms, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        runner.step()
        ms.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return ms, cpu


def serve():
    runners = {}
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            break
        try:
            row = parts[0]
            n = int(parts[1]) if row.split(":")[0] == "mha" else 0
            reps = int(parts[-1])
            key = (row, n)
            if key not in runners:
                runners[key] = make(row, n)
                runners[key].step()  # warm-up: allocations, kernel selection
            ms, cpu = timed(runners[key], reps)
            print(json.dumps({"ms": ms, "cpu_ms": cpu}), flush=True)
        except Exception as e:  # report, keep serving
            print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--info", action="store_true")
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("--profile", nargs="+", metavar="ROW", help="profile one step of ROW [N] with torch.autograd.profiler")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    if a.info:
        print(f"torch {torch.__version__} threads {torch.get_num_threads()}", flush=True)
        return
    if a.serve:
        serve()
        return
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    if a.profile:
        row = a.profile[0]
        r = make(row, int(a.profile[1]) if len(a.profile) > 1 else 0)
        r.step()
        with torch.autograd.profiler.profile() as prof:
            r.step()
        events = prof.key_averages()
        print(f"{row}: {sum(e.count for e in events)} profiled events (ops and their nested calls)")
        print(events.table(sort_by="self_cpu_time_total", row_limit=20))
        return
    for row, n, reps in [("mha", 128, 5), ("mha", 512, 3), ("mha", 2048, 1), ("ram", 0, 5), ("seq2seq", 0, 5), ("dispatch", 0, 5), ("gemm", 0, 5)]:
        r = make(row, n)
        r.step()
        ms, _ = timed(r, reps)
        print(f"{row + (' ' + str(n) if n else ''):<10} {min(ms):10.1f} ms (min of {reps})", flush=True)


if __name__ == "__main__":
    main()
