"""Files: the .npz model format (never pickle), and exchange with other libraries."""
