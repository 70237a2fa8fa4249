#!/usr/bin/env python3
"""Writes the checked-in safetensors files the checkpoint tests read.

The bytes are laid out by hand (struct + json), following the safetensors format, so these files
do not depend on the Java writer they guard:

  golden_v1.safetensors  CkEveryDType("golden") with every variable set to range_like(start=1):
                         1, 2, 3, ... in the variable's dtype (bool: true, false, true, ...).
                         Format version 1. Never regenerate it once tests use it: add a new file.
  torch_mlp.safetensors  A PyTorch nn.Sequential(Linear(3, 4), Tanh(), Linear(4, 2)) with seed 0,
                         its state_dict as PyTorch names it ("0.weight" is [out, in]), plus the
                         input "reference.input" and torch's output "reference.output".

Run from this directory: /usr/bin/python3 make_files.py
"""
import json
import struct

import numpy as np

DTYPES = {np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("int32"): "I32",
          np.dtype("int64"): "I64", np.dtype("bool"): "BOOL"}


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, numpy array); written in that order, data 8-byte aligned."""
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name, array in tensors:
        array = np.array(array, order="C")  # ascontiguousarray would make a scalar 1-d
        data = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DTYPES[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def range_like(shape, dtype):
    n = int(np.prod(shape, dtype=np.int64))
    values = np.arange(1, n + 1)
    if dtype == np.bool_:
        return (values % 2 == 1).reshape(shape)
    return values.astype(dtype).reshape(shape)


def golden():
    variables = [
        ("golden/count", (), np.int64),
        ("golden/ids", (3,), np.int32),
        ("golden/mask", (2,), np.bool_),
        ("golden/table", (2, 2), np.float64),
        ("golden/ck_linear/b", (2,), np.float32),
        ("golden/ck_linear/w", (3, 2), np.float32),
    ]
    write_safetensors("golden_v1.safetensors",
                      [(name, range_like(shape, dtype)) for name, shape, dtype in variables],
                      {"format": "sonnet-checkpoint", "format_version": "1",
                       "writer": "make_files.py"})


def torch_mlp():
    import torch
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    x = torch.linspace(-1.0, 1.0, 15).reshape(5, 3)
    with torch.no_grad():
        y = model(x)
    tensors = [(k, v.detach().numpy()) for k, v in model.state_dict().items()]
    tensors += [("reference.input", x.numpy()), ("reference.output", y.numpy())]
    write_safetensors("torch_mlp.safetensors", tensors, {"format": "pt"})


if __name__ == "__main__":
    golden()
    torch_mlp()
