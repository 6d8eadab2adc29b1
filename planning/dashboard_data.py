"""Old import path of the dashboard's view functions, which now live in :mod:`planning.views`
(one module per dashboard page). ``from planning import dashboard_data as dd`` keeps working."""
from .views import *  # noqa: F401,F403
from .views import __all__  # noqa: F401
