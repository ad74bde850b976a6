# JupyterLab's terminal under `make lab` starts bash with this file: first the learner's own ~/.bashrc,
# then the course's .venv first on PATH (a ~/.bashrc that puts pyenv or conda first would otherwise
# hide the course's python). LSTM_BPTT_VENV is set by the Makefile's `lab` target.
if [ -f "$HOME/.bashrc" ]; then
    . "$HOME/.bashrc"
fi
if [ -n "$LSTM_BPTT_VENV" ]; then
    export VIRTUAL_ENV="$LSTM_BPTT_VENV"
    export PATH="$LSTM_BPTT_VENV/bin:$PATH"
fi
