"""The case service: intake, transitions, attempts, evaluations, clocks — what every
interface calls.

Each public function is one unit of work inside the caller's transaction (the API, the web UI,
the CLI and tests open it with ``Database.transaction(tenant_id)``): it validates everything
first, then writes the case, its clocks, its risk and exactly one audit event, and calls the
tenant's plugin hooks. An error leaves nothing written, because the caller's transaction rolls
back. No Flask in here.
"""

from core.cases.catalogs import case_types, deadline_rules, ladder, risk_rules
from core.cases.clocks import (
    EXTEND_ROLES,
    PAUSE_ROLES,
    ExtensionSchema,
    PauseSchema,
    extend_clock,
    extendable,
    pause_clock,
    resume_clock,
)
from core.cases.errors import (
    CaseConflict,
    CaseError,
    CaseInvalid,
    CaseNotFound,
    TransitionRefused,
)
from core.cases.followup import (
    ATTEMPT_RESULTS,
    EVALUATION_CHANNELS,
    RATINGS,
    REVEAL_ROLES,
    REVEALABLE,
    AttemptSchema,
    EvaluationSchema,
    evaluate,
    record_attempt,
    reveal_party,
)
from core.cases.intake import (
    PARTY_KINDS,
    PARTY_ROLES,
    IntakeResult,
    IntakeSchema,
    PartySchema,
    register,
)
from core.cases.lookup import case_resource, get_case, repeat_parties
from core.cases.transitions import suggest_route, transition

__all__ = [
    "ATTEMPT_RESULTS",
    "EVALUATION_CHANNELS",
    "EXTEND_ROLES",
    "PAUSE_ROLES",
    "PARTY_KINDS",
    "PARTY_ROLES",
    "RATINGS",
    "REVEALABLE",
    "REVEAL_ROLES",
    "AttemptSchema",
    "CaseConflict",
    "CaseError",
    "CaseInvalid",
    "CaseNotFound",
    "EvaluationSchema",
    "ExtensionSchema",
    "IntakeResult",
    "IntakeSchema",
    "PartySchema",
    "PauseSchema",
    "TransitionRefused",
    "case_resource",
    "case_types",
    "deadline_rules",
    "evaluate",
    "extend_clock",
    "extendable",
    "get_case",
    "ladder",
    "pause_clock",
    "record_attempt",
    "register",
    "repeat_parties",
    "resume_clock",
    "reveal_party",
    "risk_rules",
    "suggest_route",
    "transition",
]
