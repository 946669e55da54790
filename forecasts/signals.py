"""Signals the forecast sends, so it never imports the apps above it that listen (alerts).

forecast_model_published is sent inside the transaction that writes the model and its forecasts, so a receiver's
outbox row commits with them or not at all.
"""

from django.dispatch import Signal

# sender=ForecastModel, model=<ForecastModel>: a trained model and its forecasts were published.
forecast_model_published = Signal()
