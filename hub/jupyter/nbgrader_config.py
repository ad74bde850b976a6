"""nbgrader settings shared by every user's server on the course hub (found through JUPYTER_CONFIG_PATH).

The line that matters most: on a hub where students share one Unix account, nbgrader names a
submission after the OS user (it uses JUPYTERHUB_USER only for the user ``jovyan``), so without it
every student's submission lands under the same name and all but one are lost, silently.
"""

import os

c = get_config()  # noqa: F821 (defined by nbgrader when it loads this file)

c.CourseDirectory.course_id = "lstm-bptt"
c.Exchange.root = os.environ.get("LSTM_HUB_EXCHANGE", "/srv/nbgrader/exchange")
c.Exchange.path_includes_course = False
c.ExecutePreprocessor.timeout = 120

user = os.environ.get("JUPYTERHUB_USER")
instructors = set(os.environ.get("LSTM_HUB_INSTRUCTORS", "instructor").split(","))
if user and user not in instructors:
    # a student: submissions carry the hub's user name. (Never for instructors: for them
    # student_id is the filter of collect and autograde, and would hide every student.)
    c.CourseDirectory.student_id = user
