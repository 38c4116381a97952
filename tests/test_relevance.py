"""The public relevance set (../shared/eval/public) through the real API, in process.

Targets (recall@10) from the core issue and the query-decoding issue.
"""

import pytest
from support import CheckedClient

from tudien.evaluation import (
    answers,
    format_table,
    import_manifest,
    load_manifest,
    offline_agreement,
    score_results,
)
from tudien.settings import Settings
from tudien.wiring import create_app

pytestmark = pytest.mark.shared_data

TARGETS = {
    "exact": 0.99, "nfd": 0.99, "apostrophe": 0.99, "vi_tone_placement": 0.99, "vi_exact": 0.99,
    "typo": 0.95, "fold": 0.97, "vi_fold": 0.90, "vi_typo": 0.93,
    "vi_telex": 0.95, "vi_vni": 0.95,
}


def test_public_relevance_set_on_the_server_and_offline(tmp_path, shared_data, capsys):
    manifest, queries, data_root = load_manifest(shared_data.parent / "eval" / "public")
    settings = Settings(data_dir=tmp_path / "data")
    services = import_manifest(manifest, data_root, settings)
    with CheckedClient(create_app(settings, services)) as client:
        server = answers(client, queries)
    scores = score_results(queries, server)
    with capsys.disabled():
        print("\npublic relevance set, recall and MRR per kind:\n" + format_table(scores))
    assert set(TARGETS) <= set(scores)
    below = {k: round(scores[k].recall10, 3) for k, target in TARGETS.items() if scores[k].recall10 < target}
    assert not below, below

    # the offline client over packs of the same lists answers like the server
    agreement = offline_agreement(services, queries, server, tmp_path / "packs")
    with capsys.disabled():
        print(f"offline packs: same top result {agreement.same_top}/{agreement.queries} ({agreement.top:.4f}), "
              f"same ten {agreement.same_ten}; R@10 server {agreement.server.recall10:.4f}, "
              f"offline {agreement.offline.recall10:.4f}")
    assert agreement.top >= 0.99
    assert abs(agreement.server.recall10 - agreement.offline.recall10) <= 0.005
    services.close()
