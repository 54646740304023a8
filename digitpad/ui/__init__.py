"""The desktop app's widgets and the glue that keeps them in step with the recogniser."""
