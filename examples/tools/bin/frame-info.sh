#!/bin/sh
# A tool shipped as a Batch application package: the tasks find it at $AZ_BATCH_APP_PACKAGE_frame_tools.
echo "frame-tools: frame $1 at ${QUALITY:-final} quality"
