#!/usr/bin/python3
"""Writes the .npy goldens of test/data/npy.test.ts with numpy (np.save / np.lib.format).

Run with /usr/bin/python3 (Debian numpy 1.24) from the repository root:
    /usr/bin/python3 scripts/make_npy_fixtures.py
Outputs test/fixtures/npy/*.npy plus manifest.json (dtype, shape, the values as
JSON numbers, and whether np.save wrote the file so Rampart's writer must match it
byte for byte). Tests never need python; the committed outputs are the goldens.
"""
import json
import os

import numpy as np
from numpy.lib import format as npformat

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'npy')
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20240601)
manifest = {}


def add(name, arr, how='save', version=None, note=''):
    path = os.path.join(OUT, name + '.npy')
    if how == 'save':
        np.save(path, arr)
    else:
        with open(path, 'wb') as f:
            npformat.write_array(f, arr, version=version)
    back = np.load(path)
    assert back.dtype == arr.dtype and back.shape == arr.shape and np.array_equal(back, arr, equal_nan=True)
    c = np.ascontiguousarray(arr)
    if c.dtype == np.float16:
        c = c.astype(np.float32)
    c = c.astype(c.dtype.newbyteorder('='))
    manifest[name] = {
        'descr': npformat.dtype_to_descr(arr.dtype),
        'shape': list(arr.shape),
        # Row-major (C order) values whatever the file's order; JSON numbers are exact
        # for float32/float64 and for the integers used here (|x| < 2^53).
        'values': [bool(v) if c.dtype == np.bool_ else (int(v) if c.dtype.kind in 'iu' else float(v)) for v in c.reshape(-1)],
        # np.save with the default (oldest fitting) version: Rampart's writer must match it byte for
        # byte (float16 excluded: Rampart widens it to float32 on read).
        'byteIdentical': how == 'save' and arr.dtype != np.float16 and arr.dtype.byteorder in '<=|' and (arr.flags.c_contiguous or arr.ndim < 2),
        'note': note,
    }


add('f32_2x3', rng.standard_normal((2, 3)).astype(np.float32))
add('f64_vec5', rng.standard_normal(5))
add('i64_mixed', np.array([[0, -1, 2**40, -(2**52)], [7, 9007199254740991, -3, 1]], dtype=np.int64))
add('i32_3', np.array([-2147483648, 0, 2147483647], dtype=np.int32))
add('u8_2x2x2', np.arange(8, dtype=np.uint8).reshape(2, 2, 2) * 31)
add('bool_4', np.array([True, False, False, True]))
add('f32_scalar', np.array(3.5, dtype=np.float32), note='0-d array')
add('f32_empty_0x3', np.zeros((0, 3), dtype=np.float32), note='zero elements')
add('f32_mnist_like', (rng.integers(0, 256, (1, 1, 28, 28)) / 255).astype(np.float32))
add('f64_5d', rng.standard_normal((1, 2, 1, 3, 1)), note='rank 5: a longer header')
add('f32_be_2x3', rng.standard_normal((2, 3)).astype('>f4'), note='big-endian')
add('i64_be_3', np.array([1, -2, 2**33], dtype='>i8'), note='big-endian int64')
add('f32_fortran_2x3x4', np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4)), note='fortran_order True')
add('f32_v2', np.arange(6, dtype=np.float32).reshape(3, 2), how='write', version=(2, 0), note='format 2.0')
add('f32_v3', np.arange(6, dtype=np.float32).reshape(2, 3), how='write', version=(3, 0), note='format 3.0')
add('f16_4', np.array([0.5, -2.0, 65504.0, 0.0001], dtype=np.float16), note='float16, widened to float32')

with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
    json.dump(manifest, f, indent=1)
    f.write('\n')
print('wrote', len(manifest), 'fixtures to', os.path.normpath(OUT))
