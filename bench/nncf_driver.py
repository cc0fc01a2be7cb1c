"""Runs inside a separate virtualenv that has NNCF (never the project's own).

    /tmp/nncf-venv/bin/python bench/nncf_driver.py MODEL.onnx CALIBRATION_DIR OUT.xml

Quantises the NLI model's float graph statically to int8 with NNCF's post-training
quantisation for transformers (SmoothQuant and fast bias correction, its defaults for
`ModelType.TRANSFORMER`; MIXED preset: symmetric weights, asymmetric activations), calibrated
on the token batches in CALIBRATION_DIR (one .npz of model inputs each), and saves the
OpenVINO IR. Imports nothing from the checker.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(model: str, calibration: str, target: str) -> None:
    import nncf
    import numpy as np
    import openvino

    graph = openvino.Core().read_model(model)
    batches = [dict(np.load(path)) for path in sorted(Path(calibration).glob("*.npz"))]
    quantised = nncf.quantize(
        graph,
        nncf.Dataset(batches),
        model_type=nncf.ModelType.TRANSFORMER,
        preset=nncf.QuantizationPreset.MIXED,
        subset_size=len(batches),
    )
    openvino.save_model(quantised, target, compress_to_fp16=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
