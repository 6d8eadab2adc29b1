"""The planners' dashboard behind ``app.py`` (run from the repository, not installed): one module
per page (``*_page.py``, run by ``st.navigation``), the chart builders (:mod:`.charts`), the
session-state keys and their defaults (:mod:`.state`), the cached calls into ``planning.views``
(:mod:`.cached`) and the shared widgets (:mod:`.widgets`). Presentation only: every number comes
from :mod:`planning.views`."""
