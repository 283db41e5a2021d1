# The framework is edited in the Django admin (capabilities/admin.py); no public views yet.
