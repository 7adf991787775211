"""Evidence bundles: every observation behind a verdict, hash-chained, signed, and verifiable offline."""

from testkommune.harness.evidence.bundle import EvidenceRecorder, write_bundle
from testkommune.harness.evidence.verify import VerifyReport, verify_bundle

__all__ = ["EvidenceRecorder", "VerifyReport", "verify_bundle", "write_bundle"]
