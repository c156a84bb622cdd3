"""Build the real-music genre set behind recipes/genre/real_music.toml, split by package.

    python recipes/genre/prepare_real_music.py [--out data/real_music] [--clips DIR]

99 tracks of 5 genres from 36 Debian game-soundtrack packages (real_music/README.md says
which, and on what evidence each label rests). real_music/fetch.sh downloads the packages with
`apt-get download` (as root, on Debian 12) and writes 22.05 kHz mono WAV clips of at most 120 s
into OUT/clips/<genre>/<package>__<track>.wav; `--clips DIR` uses clips fetched before.

Then the clips are linked (symbolic links, no copies) into folder-per-genre trees:

    OUT/train, OUT/val, OUT/test   the package-disjoint split of real_music/README.md
    OUT/all                        every track (for leave-one-package-out cross-validation and
                                   the shipped weights)
    OUT/packages.csv               genre,package,path of each track under OUT/all

No package (and no artist named in the tags or credits) is on two sides of the split: a model
that learns each package's production, not its genre, scores chance on the test split.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent / "real_music"
VAL = {
    "warmux-data",
    "hedgewars-data",
    "supertux-data",
    "wizznic-data",
    "pingus-data",
    "tecnoballz-data",
    "freedroid-data",
}
TEST = {
    "freedroidrpg-data",
    "widelands-data",
    "freedink-data",
    "brainparty-data",
    "redeclipse-data",
    "tuxtype-data",
    "biniax2-data",
    "pekka-kana-2-data",
}


def split_of(package: str) -> str:
    return "val" if package in VAL else "test" if package in TEST else "train"


def fetch(clips: Path, debs: Path) -> None:
    """Run fetch.sh (root and apt needed; about 2 minutes and 4.5 GB of packages)."""
    env = {**os.environ, "WORK_DIR": str(debs)}
    subprocess.run(["bash", str(HERE / "fetch.sh"), str(clips)], check=True, env=env)


def link_trees(clips: Path, out: Path) -> list[dict]:
    """Link every clip of ``clips/index.csv`` into OUT/<split>/<genre>/ and OUT/all/<genre>/."""
    with open(clips / "index.csv", newline="") as index:
        rows = list(csv.DictReader(index))
    for row in rows:
        source = (clips / row["wav"]).resolve()
        if not source.is_file():
            raise SystemExit(f"{source}: listed in {clips / 'index.csv'} but missing")
        for part in (split_of(row["package"]), "all"):
            target = out / part / row["genre"] / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or target.exists():
                target.unlink()
            target.symlink_to(os.path.relpath(source, target.parent))
    return rows


def write_packages(rows: list[dict], out: Path) -> None:
    with open(out / "packages.csv", "w", newline="") as table:
        writer = csv.writer(table)
        writer.writerow(["genre", "package", "path"])
        for row in rows:
            writer.writerow([row["genre"], row["package"], f"all/{row['wav']}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("data/real_music"))
    parser.add_argument("--clips", type=Path, help="clips fetched before (fetch.sh's OUT_DIR)")
    args = parser.parse_args(argv)
    clips = args.clips or args.out / "clips"
    if not (clips / "index.csv").is_file():
        fetch(clips, args.out / "debs")
    rows = link_trees(clips, args.out)
    write_packages(rows, args.out)
    for part in ("train", "val", "test"):
        chosen = [r for r in rows if split_of(r["package"]) == part]
        packages = len({r["package"] for r in chosen})
        print(f"{part:<5} {len(chosen):3d} tracks from {packages:2d} packages", file=sys.stderr)
    print(f"wrote {args.out}/{{train,val,test,all}} and {args.out}/packages.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
