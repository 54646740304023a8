"""What every window leans on: dialogs, icons, notices, crash reports and main-thread GC."""
