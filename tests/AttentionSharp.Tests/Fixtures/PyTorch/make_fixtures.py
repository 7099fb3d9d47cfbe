#!/usr/bin/python3
"""Writes the PyTorch fixtures that PyTorchInteropTests reads (CI has no Python: the outputs are committed).

Run from this folder with Debian's PyTorch:  apt-get install -y python3-torch libopenblas0-openmp && /usr/bin/python3 make_fixtures.py
Each model NAME gets NAME.pt (or .safetensors): its state_dict as torch.save writes it, and NAME_io.pt: fixed inputs and
PyTorch's outputs. Modules run in training mode with dropout 0 so that PyTorch takes its reference (not fast) path.
"""
import json
import struct

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(27)


def save_safetensors(tensors, path):
    """The safetensors layout (8-byte little-endian header size, JSON index, raw little-endian data), written by hand
    because Debian has no python3-safetensors."""
    index, blobs, offset = {}, [], 0
    names = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.bool: "BOOL"}
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().tobytes()
        index[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header = json.dumps(index, separators=(",", ":")).encode()
    header += b" " * (-len(header) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)))
        f.write(header)
        for b in blobs:
            f.write(b)


def save_io(name, **tensors):
    torch.save({k: v.detach().contiguous() for k, v in tensors.items()}, name + "_io.pt")


def multihead():
    # Self-sized projections: PyTorch packs them as in_proj_weight / in_proj_bias.
    m = nn.MultiheadAttention(8, 2, batch_first=True).train()
    q, k, v = torch.randn(2, 3, 8), torch.randn(2, 4, 8), torch.randn(2, 4, 8)
    ignore = torch.tensor([[False, False, False, True], [False, False, False, False]])  # True = padding (PyTorch)
    out, weights = m(q, k, v, key_padding_mask=ignore, need_weights=True)
    torch.save(m.state_dict(), "mha.pt")
    save_io("mha", query=q, key=k, value=v, valid=~ignore, output=out, weights=weights)


def multihead_kdim():
    # Other key/value sizes: PyTorch keeps q_proj_weight, k_proj_weight, v_proj_weight apart.
    m = nn.MultiheadAttention(8, 2, kdim=6, vdim=5, batch_first=True).train()
    q, k, v = torch.randn(2, 3, 8), torch.randn(2, 4, 6), torch.randn(2, 4, 5)
    out, _ = m(q, k, v, need_weights=False)
    torch.save(m.state_dict(), "mha_kdim.pt")
    save_io("mha_kdim", query=q, key=k, value=v, output=out)


def encoder(name, norm_first, safetensors):
    m = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True, norm_first=norm_first).train()
    x = torch.randn(2, 5, 8)
    ignore = torch.tensor([[False] * 5, [False, False, False, True, True]])
    out = m(x, src_key_padding_mask=ignore)
    if safetensors:
        save_safetensors(m.state_dict(), name + ".safetensors")
    else:
        torch.save(m.state_dict(), name + ".pt")
    save_io(name, input=x, valid=~ignore, output=out)


def lstm():
    # A bidirectional LSTM over padded sequences, read packed (neither direction sees padding).
    m = nn.LSTM(3, 4, batch_first=True, bidirectional=True)
    x = torch.randn(3, 5, 3)
    lengths = torch.tensor([5, 3, 1])
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    out, (h, _) = m(packed)
    states, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=5)
    torch.save(m.state_dict(), "lstm.pt")
    save_io("lstm", input=x, lengths=lengths, states=states, final=torch.cat([h[0], h[1]], 1))


def gru():
    m = nn.GRU(3, 4, batch_first=True)
    x = torch.randn(2, 5, 3)
    out, h = m(x)
    torch.save(m.state_dict(), "gru.pt")
    save_io("gru", input=x, output=out, final=h)


if __name__ == "__main__":
    multihead()
    multihead_kdim()
    encoder("encoder_prenorm", True, safetensors=False)
    encoder("encoder_postnorm", False, safetensors=True)
    lstm()
    gru()
    print("torch", torch.__version__)
