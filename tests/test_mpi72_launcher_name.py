"""The launcher the refusals name: under Slurm's `srun --mpi=pmi2` (which sets Hydra's PMI_SIZE beside its own
SLURM_STEP_NUM_TASKS) they said "mpiexec", PMI_SIZE being read first. Each launcher's variables as it sets them
(no real srun here; a real mpiexec's are tested in the other MPI tests)."""
import pytest
from conftest import cmd

from chainrule.training import rank_warnings

SLURM = ("SLURM_STEP_NUM_TASKS", "SLURM_PROCID")
ALL = ("PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "MV2_COMM_WORLD_SIZE",
       "MV2_COMM_WORLD_RANK", *SLURM)


@pytest.mark.parametrize("env, said", [
    ({"PMI_SIZE": "2", "PMI_RANK": "0", "SLURM_STEP_NUM_TASKS": "2", "SLURM_PROCID": "0"}, "srun"),   # srun --mpi=pmi2
    ({"SLURM_STEP_NUM_TASKS": "2", "SLURM_PROCID": "0"}, "srun"),                                      # srun, no PMI
    ({"PMI_SIZE": "4", "PMI_RANK": "0", "SLURM_STEP_NUM_TASKS": "1", "SLURM_PROCID": "0"}, "mpiexec"),  # in salloc
    ({"PMI_SIZE": "2", "PMI_RANK": "0"}, "mpiexec"),                                                    # Hydra
    ({"OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "0"}, "mpiexec")])                           # Open MPI
def test_the_refusal_names_the_launcher_that_started_the_ranks(monkeypatch, tmp_path, env, said):
    for name in ALL:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert rank_warnings.launcher() == said
    data = tmp_path / "d.csv"
    data.write_text("a,b,y\n1,2,0\n2,1,1\n3,1,0\n1,3,1\n")
    r = cmd("train", data, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz")
    assert r.returncode == 2, r.stderr
    assert f"started by {said} as " in r.stderr and f"started by {'mpiexec' if said == 'srun' else 'srun'}" \
        not in r.stderr, r.stderr
