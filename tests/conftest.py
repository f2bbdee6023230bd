from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def shared_data(name: str, env: str) -> Path:
    """Where an external corpus lives: $ENV, else ../shared/data/NAME beside the checkout."""
    return Path(os.environ.get(env) or ROOT.parent / "shared" / "data" / name)


@pytest.fixture(scope="session")
def seed_docs():
    from boilerplate.eval.dataset import read_jsonl

    return list(read_jsonl(FIXTURES / "seeds.jsonl"))
