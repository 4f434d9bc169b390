#!/bin/bash
# A study as a Slurm job array: task i gets SLURM_ARRAY_TASK_ID=i, and `--shard env/16` makes it
# run part i of 16 (the array must count from 0). Submit from a folder on the shared file system:
#   jobid=$(sbatch --parsable slurm-array.sh)
#   sbatch --dependency=afterany:$jobid --wrap 'convcs merge parts'
# afterany: the merge runs even if a task failed, and names the missing parts; re-submitting the
# array then runs only those (complete parts are skipped).
#SBATCH --job-name=convcs-study
#SBATCH --array=0-15
#SBATCH --cpus-per-task=1
#SBATCH --mem=512M
#SBATCH --time=01:00:00
#SBATCH --output=logs/part-%a.out
set -euo pipefail
convcs study spec.json --shard env/16 --out parts --json
