# syntax=docker/dockerfile:1
# Packyard: one image, one binary (`packyard`), roles chosen by arguments.
#   docker build -t ghcr.io/packyard/packyard:0.1.0 .
#   docker run --rm ghcr.io/packyard/packyard:0.1.0 --help

# --- build -------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
# All of operator/ (not csproj-by-csproj), so a new project needs no Dockerfile change.
COPY operator/ operator/
# The same publish command CI uses:
#   dotnet publish operator/Packyard/Packyard.csproj -c Release -o /out
# The BuildKit cache mount keeps NuGet packages between builds.
RUN --mount=type=cache,id=packyard-nuget,target=/root/.nuget/packages \
    dotnet publish operator/Packyard/Packyard.csproj -c Release -o /out

# --- runtime -----------------------------------------------------------------------------------
# ASP.NET Core runtime: the content app is Kestrel.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# Repository.spec.sync.timeZone needs IANA zone data; add tzdata only if the base image lacks it.
RUN if [ ! -e /usr/share/zoneinfo/UTC ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends tzdata \
      && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /app
COPY --from=build --chown=0:0 /out/ /app/
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_NOLOGO=1
EXPOSE 8080
# Numeric, non-root: lets Kubernetes verify runAsNonRoot without a passwd lookup.
USER 65532:65532
ENTRYPOINT ["dotnet", "/app/packyard.dll"]
CMD ["operator"]
