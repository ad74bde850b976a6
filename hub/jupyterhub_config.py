"""JupyterHub for a class on one machine: the configuration the course's hub test runs.

Start it from this folder (``jupyterhub -f hub/jupyterhub_config.py``) with these environment variables:

- ``LSTM_HUB_ROOT``: a folder for the hub's state, the users' homes and the nbgrader exchange.
- ``LSTM_HUB_USERS``: comma-separated user names; ``LSTM_HUB_INSTRUCTORS``: those who teach (admins).
- ``LSTM_HUB_PORT``, ``LSTM_HUB_API_PORT``, ``LSTM_HUB_PROXY_API_PORT``: ports on 127.0.0.1.
- ``LSTM_HUB_DRIVER_TOKEN``: the API token of the ``class-driver`` service (the test drives the class
  through it); leave unset to define no service.

Authentication here is JupyterHub's ``dummy`` authenticator and every user's server runs under the
same Unix account (``simple`` spawner): right for a test or a trusted demo, never for marks that count
(any student could read another's home folder). docs/JUPYTERHUB.md says what to change for a real class.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = Path(os.environ.get("LSTM_HUB_ROOT", HERE / "state"))
USERS = [name for name in os.environ.get("LSTM_HUB_USERS", "instructor").split(",") if name]
INSTRUCTORS = [name for name in os.environ.get("LSTM_HUB_INSTRUCTORS", "instructor").split(",") if name]
BIN = Path(sys.executable).parent  # the environment that has jupyterhub, jupyterlab, nbgrader and lstm_core

c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)

# --- network: loopback only -------------------------------------------------------------------
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ.get("LSTM_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("LSTM_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('LSTM_HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]

# --- state ------------------------------------------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{ROOT / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(ROOT / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(ROOT / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server
c.JupyterHub.cleanup_proxy = True

# --- users ------------------------------------------------------------------------------------
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = set(USERS)
c.Authenticator.admin_users = set(INSTRUCTORS)

# --- each user's server -----------------------------------------------------------------------
c.JupyterHub.spawner_class = "simple"  # local processes, one shared Unix account, a home folder each
c.SimpleLocalProcessSpawner.home_dir_template = str(ROOT / "home" / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.args = ["--allow-root"] if os.getuid() == 0 else []
c.Spawner.default_url = "/lab"
# Twenty servers starting at once on two cores need minutes, not the defaults' 30 s and 60 s:
# with the defaults every one of them fails with "never showed up".
c.Spawner.http_timeout = 180
c.Spawner.start_timeout = 300
c.Spawner.environment = {
    # nbgrader_config.py (student ids, the exchange) lives in hub/jupyter/ and is found through this path
    "JUPYTER_CONFIG_PATH": str(HERE / "jupyter"),
    "LSTM_HUB_EXCHANGE": str(ROOT / "exchange"),
    "LSTM_HUB_INSTRUCTORS": ",".join(INSTRUCTORS),
    # nbgrader runs `alembic` from PATH to create its gradebook
    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
}
if "LSTM_HUB_RUN" in os.environ:  # the test's marker, so that it can prove every process stopped
    c.Spawner.environment["LSTM_HUB_RUN"] = os.environ["LSTM_HUB_RUN"]

# --- the service that drives a class in the test (and can script one for an instructor) ---------
token = os.environ.get("LSTM_HUB_DRIVER_TOKEN")
if token:
    c.JupyterHub.services = [{"name": "class-driver", "api_token": token}]
    c.JupyterHub.load_roles = [{
        "name": "class-driver",
        "scopes": ["admin:users", "admin:servers", "access:servers", "list:users", "read:users"],
        "services": ["class-driver"],
    }]
