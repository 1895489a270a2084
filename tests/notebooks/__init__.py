"""The tutorials and other notebooks, executed in real Jupyter kernels with nbclient."""
