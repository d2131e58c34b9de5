"""Process-level limits every newsflow process applies once, at start.

newsflow scales with processes (Celery's prefork pool), so each process runs
one BLAS thread. OpenBLAS otherwise starts a thread per core in every process;
measured on this 2-core machine under load, a 300x300 matrix product took 14x
the CPU time with 2 threads as with 1 (3.16 s vs 0.22 s for 200 products).
The OPENBLAS_NUM_THREADS variable only works before NumPy loads, which any
import of newsflow already does, so the limit is set at run time instead.
"""

from __future__ import annotations

#: BLAS / OpenMP threads per process.
BLAS_THREADS = 1


def limit_threads() -> None:
    """Limit BLAS and OpenMP pools of this process to BLAS_THREADS."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=BLAS_THREADS)
