"""The safetensors format by hand, for the fixture scripts: 8-byte little-endian header length,
a JSON header {name: {dtype, shape, data_offsets}}, then the raw little-endian data. (No
safetensors package needed: Debian's python3-torch is all the scripts use.)"""
import json
import struct

import torch

CODES = {torch.float64: 'F64', torch.float32: 'F32', torch.int64: 'I64'}
TYPES = {'F64': torch.float64, 'F32': torch.float32, 'I64': torch.int64}


def write(path, tensors):
    """Writes {name: tensor}; floats as float64 (the fixtures compare in float64), int64 as I64."""
    header, chunks, at = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype != torch.int64:
            t = t.to(torch.float64)
        data = t.numpy().tobytes()
        header[name] = {'dtype': CODES[t.dtype], 'shape': list(t.shape), 'data_offsets': [at, at + len(data)]}
        chunks.append(data)
        at += len(data)
    head = json.dumps(header).encode()
    head += b' ' * (-len(head) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(head)) + head + b''.join(chunks))


def read(path):
    """Reads {name: tensor} (F32, F64, I64)."""
    with open(path, 'rb') as f:
        raw = f.read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        a, b = e['data_offsets']
        out[name] = torch.frombuffer(bytearray(body[a:b]), dtype=TYPES[e['dtype']]).reshape(e['shape']).clone()
    return out
