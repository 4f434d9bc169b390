"""PyTorch peer for bench/run.ts: times conv2d forward, one thread, on the layers given as JSON.

Usage: python3 bench/peers/pytorch_conv.py '[{"id": "c256-28", "M": 256, "K": 256, "H": 28, "W": 28, "k": 3, "padding": 1}]'
Prints one JSON line: {"ok": true, "torch": version, "threads": 1, "mkldnn": bool, "times": {id: [ms, ...]}},
or {"ok": false, "error": "..."} when torch cannot be imported. Each sample is the mean of a batch
of calls lasting at least 20 ms, after 0.3 s of warm-up; samples are taken for about 1.5 s.
"""
import json
import sys
import time


def main() -> None:
    layers = json.loads(sys.argv[1])
    try:
        import torch
        import torch.nn.functional as F
    except Exception as e:  # noqa: BLE001 - any import failure means no peer
        print(json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}"}))
        return
    torch.set_num_threads(1)
    torch.manual_seed(0)
    times = {}
    for L in layers:
        x = torch.randn(1, L["M"], L["H"], L["W"], dtype=torch.float32)
        w = torch.randn(L["K"], L["M"], L["k"], L["k"], dtype=torch.float32)
        with torch.no_grad():
            def call():
                return F.conv2d(x, w, padding=L["padding"])
            end = time.perf_counter() + 0.3
            calls = 0
            while time.perf_counter() < end or calls < 3:
                call()
                calls += 1
            t = time.perf_counter()
            call()
            one = time.perf_counter() - t
            batch = max(1, int(0.02 / max(one, 1e-6)))
            samples = []
            end = time.perf_counter() + 1.5
            while time.perf_counter() < end or len(samples) < 5:
                t = time.perf_counter()
                for _ in range(batch):
                    call()
                samples.append((time.perf_counter() - t) / batch * 1000)
        times[L["id"]] = samples
    print(json.dumps({
        "ok": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
        "mkldnn": bool(torch.backends.mkldnn.is_available()), "times": times,
    }))


if __name__ == "__main__":
    main()
