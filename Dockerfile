# TrackerDcs: build with the SDK, run on the ASP.NET runtime as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish TrackerDcs.Web -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# The data directory (database, retained messages, generated certificate) is the one thing to keep.
RUN mkdir /data && chown app:app /data
VOLUME /data
ENV Data__Directory=/data \
    # Inside a container loopback reaches nobody; publish 1883 on the host's 127.0.0.1 instead (compose does).
    Endpoints__MqttAddress=0.0.0.0
USER app
# HTTP (redirects), HTTPS (panel, /mqtt over WSS), MQTT, MQTT over TLS.
EXPOSE 5000 5001 1883 8883
# The runtime image has no curl: the executable checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["dotnet", "TrackerDcs.dll", "healthcheck"]
ENTRYPOINT ["dotnet", "TrackerDcs.dll"]
