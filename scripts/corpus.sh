#!/usr/bin/env bash
# Download the real-code corpus: a pinned set of async-heavy packages from PyPI,
# as source distributions, each checked against a pinned sha256 and extracted
# into DIR/NAME-VERSION/.
#
#   scripts/corpus.sh [DIR]            (default: <repo>/corpus, git-ignored)
#   scripts/corpus.sh --holdout [DIR]  (default: <repo>/holdout, git-ignored)
#
# --holdout downloads a second set, 313 packages outside the corpus
# (starlette, aiogram and bleak among them, left out of it below), read in
# twenty rounds after the corpus's triage to see whether its fixes hold on
# code they were not made on (docs/evaluation.md, "Held-out packages"). The
# benchmark never uses it.
#
# Idempotent: a package whose DIR/NAME-VERSION/ is complete (has the marker
# file .corpus-ok) is skipped; a verified archive already in DIR/.sdist/ is not
# downloaded again. Nothing here is committed.
#
# Only `pip download --no-deps --no-binary NAME NAME==VERSION` touches the
# network (and, for an sdist whose metadata pip cannot prepare, PyPI's JSON
# API for the same file). pip prepares each sdist's metadata, so the first
# run also fetches the packages' build backends (hatchling, setuptools, ...)
# into pip's isolated build environments; that is why the first run takes
# about a minute and a half (the held-out set, some minutes).
#
# Left out, and why:
#   telethon 1.45.0   its sdist lacks hatch_build.py, so pip cannot prepare its
#                     metadata and `pip download` fails (the held-out set has
#                     it since, through the JSON API fallback).
#   starlette 1.10.0  2 spawn calls (it spawns through anyio task groups).
#   aiogram 3.31.0    24 MB extracted for 11 spawn calls.
#   bleak, bellows, pymodbus, zigpy-znp: fewer than 10 spawn calls each.
set -euo pipefail
cd "$(dirname "$0")/.."

SET=corpus
if [ "${1:-}" = "--holdout" ]; then
    SET=holdout
    shift
fi
DIR="${1:-$PWD/$SET}"
PYTHON="${PYTHON:-python3}"

# NAME VERSION SDIST-FILE SHA256 (the sha256 that PyPI publishes for the file)
HOLDOUT_PINS="
aiogram             3.31.0    aiogram-3.31.0.tar.gz              f2c5064fe52d88898c86af62261c405440a014216e45dd99b2c6555a5602ce30
nats-py             2.16.0    nats_py-2.16.0.tar.gz              1d137ed7afc9b59033b3199324c6237df2016a5091935871344a787eba6b72fc
starlette           1.10.0    starlette-1.10.0.tar.gz            b8399098d4c1e3522734f7235dc79b1fc967f96cf139c81e0fa30479e0685f9b
httpcore            1.0.9     httpcore-1.0.9.tar.gz              6e34463af53fd2ab5d807f399a9b45ea31c3dfa2276f15a2c3f00afff6e176e8
aiosqlite           0.22.1    aiosqlite-0.22.1.tar.gz            043e0bd78d32888c0a9ca90fc788b38796843360c855a7262a532813133a0650
quart               0.23.1    quart-0.23.1.tar.gz                1ca848415910bd2eb75e9d9b452388f892a37be222602a373622e6c633d1efbf
aiomqtt             2.5.1     aiomqtt-2.5.1.tar.gz               25a0a47d157e8f158d2da1110ea4786c0615518751e94f7b04976c977a8ff20d
grpclib             0.4.9     grpclib-0.4.9.tar.gz               cc589c330fa81004c6400a52a566407574498cb5b055fa927013361e21466c46
faust-streaming     0.15.3    faust_streaming-0.15.3.tar.gz      51d6de8d7984c1e47ce961ba4c066e82a6b69d7b02d6bc27129677c4bfb1235f
channels            4.3.2     channels-4.3.2.tar.gz              f2bb6bfb73ad7fb4705041d07613c7b4e69528f01ef8cb9fb6c21d9295f15667
bleak               3.1.0     bleak-3.1.0.tar.gz                 e37fd30c4691c908d31c8b92ca55b92a22ab924a77c35579822c859042992145
aiobotocore         3.10.0    aiobotocore-3.10.0.tar.gz          35480ef11c51e23087273b85d97f80da2f356a46ce5f3fb88e24483cd343ffdb
motor               3.7.1     motor-3.7.1.tar.gz                 27b4d46625c87928f331a6ca9d7c51c2f518ba0e270939d395bc1ddc89d64526
asyncssh            2.24.1    asyncssh-2.24.1.tar.gz             efcd36e9b35f79873535b06444a7c9b0a3c61d97081b208c7fdd3fd8a40f1eca
mode-streaming      0.7.1     mode_streaming-0.7.1.tar.gz        623ef23f14c7a9cd525c7a0bff16f64a9ddb15f4d62909921c1026a69f20d7d1
pyatv               0.18.0    pyatv-0.18.0.tar.gz                f650807f6d5c15460677152d38c97e83d22ddfe2113d63689e71d9a27b616c35
matrix-nio          0.26.0    matrix_nio-0.26.0.tar.gz           6aff7aa1d9e6e5351df8f979f4b647a3b347f635e306b26e2682fd3b59d8e6a8
aiortc              1.16.0    aiortc-1.16.0.tar.gz               892a1d22ec500a41c6a2377a372db575929d9e9f614e9a2276b145cf40924798
aiocoap             0.4.17    aiocoap-0.4.17.tar.gz              464c8d2b85ec1ef435dabeaa3fb6c8256b40fadfe6ce4ca83b93acb8d555f436
arq                 0.28.0    arq-0.28.0.tar.gz                  a458188aefc2d7ee17d136f80d8fa8df1d6eba4ceebdead87e9f172d027dc311
aiosmtpd            1.4.6     aiosmtpd-1.4.6.tar.gz              5a811826e1a5a06c25ebc3e6c4a704613eb9a1bcf6b78428fbe865f4f6c9a4b8
twitchio            3.3.2     twitchio-3.3.2.tar.gz              0d6da251fcc01d3fa6c3e6d44b18aa81509f8163893db3a9a2bee8ce74342dab
aioftp              0.28.3    aioftp-0.28.3.tar.gz               f054f3af285b4958621220f04ce755e58907140181e95efa859369091c92d040
python-socketio     5.18.1    python_socketio-5.18.1.tar.gz      07ab0e7c94a52833a67af1dc05958ad6fb0de69adc87de9198a61b22588c40d4
python-engineio     4.15.1    python_engineio-4.15.1.tar.gz      1a412e798a90c64fabe7b20798939ae6d4a03f34da8a33d5a21a25a8bbbc3612
tornado             6.6.1     tornado-6.6.1.tar.gz               28e6311402af59c8b02e3fa0f5e7d8eb465b25081381803b127d97e6a4395d5a
prompt-toolkit      3.0.53    prompt_toolkit-3.0.53.tar.gz       9ec8a0ad96d5c56148b3f914aa79c1564c3fde5d2e6b876e7bc327e353cf8fa6
ipykernel           7.4.0     ipykernel-7.4.0.tar.gz             4330114d22b9b33575b2c7c68753fc8faabbbcfbc60b0cdff9f14dd4ce63742f
anyio               4.16.0    anyio-4.16.0.tar.gz                59bb03251907983d1603d27c3087ddb1e93299ea2163adcdba37899a4fb12ffb
slack-bolt          1.30.0    slack_bolt-1.30.0.tar.gz           af38258d41f801ad9c74503090e0f39accd66c49f667f7e55c97fcdb0e51b886
mautrix             0.21.1    mautrix-0.21.1.tar.gz              2cad21fcff32bd549192091f9b7b58c01980a7b46f827eef8f34e62d92762b67
aiodocker           0.27.0    aiodocker-0.27.0.tar.gz            74586f4929aee4563ee7db50996a1a39ac35e06c80701daad31f94aadb6551c7
aiohomekit          4.0.1     aiohomekit-4.0.1.tar.gz            5e00f87a9fae4829da6499bec91b0e55fa8d0565f8ce571da50737743fc91cd8
psycopg-pool        3.3.3     psycopg_pool-3.3.3.tar.gz          df87b5d9d0ad7db37f6cdad4fa8ce113d250f5997f6db38e9a99192fb67f9e1d
aiojobs             1.4.0     aiojobs-1.4.0.tar.gz               463665c75d1fcc46c78d44375c1034abf5e3f087894b0fc5ec4dd16ef90fdc98
channels-redis      4.3.0     channels_redis-4.3.0.tar.gz        740ee7b54f0e28cf2264a940a24453d3f00526a96931f911fcb69228ef245dd2
pyee                16.1.0    pyee-16.1.0.tar.gz                 fe092d3a2a66f0f6a277fb227b078d3d849318da9a9d5d2f6576143236e84e48
aioconsole          0.8.2     aioconsole-0.8.2.tar.gz            25cb5530f58f7ab431e9af84fbb5417178287b6c3300d5b1185e3b129a227cef
janus               2.0.0     janus-2.0.0.tar.gz                 0970f38e0e725400496c834a368a67ee551dc3b5ad0a257e132f5b46f2e77770
disnake             2.12.2    disnake-2.12.2.tar.gz              5e1e71dbbb18595ed8767262bc908aa66eab5e2cb86bfca7f3b20754e6a5433f
aiocache            0.12.3    aiocache-0.12.3.tar.gz             f528b27bf4d436b497a1d0d1a8f59a542c153ab1e37c3621713cb376d44c4713
asyncua             2.1.0     asyncua-2.1.0.tar.gz               d741f5e21f189ac0a45b8dda13539c2d49d8d992b9b62d2758efe1bfd3d1454c
xknx                4.0.0     xknx-4.0.0.tar.gz                  84f00ce2ced47cd010b382ff729909475734275890b2c7318a7a05a8e3cd3e99
zeroconf            0.154.0   zeroconf-0.154.0.tar.gz            830315497af9bbd75924c2218cd3b64f0bde0e808ee316aabb5d9288836c0c43
nextcord            3.2.0     nextcord-3.2.0.tar.gz              59a86283d832b5495535d1ffd611291fb3840d8b97225d35caf519eaf593c718
faststream          0.7.8     faststream-0.7.8.tar.gz            9e367d9ba8b59eeafad19f46641b11f20d23a7ed75ea27b2503856a8ae0c075a
taskiq              0.13.0    taskiq-0.13.0.tar.gz               7d56609a6c5a20b0c9da67e9f310ec9640266f620b8f81880bccd5f16913e687
aioquic             1.7.2     aioquic-1.7.2.tar.gz               4def7cb0a692dc12c995cc397a93f41b78cc30b7bf078769c3a3bb1ba9dcf362
HAP-python          5.2.0     hap_python-5.2.0.tar.gz            ede65dbd35ecb075e40483b57ff6f88bbb799a9dfb877dd4f9fcbe84511f57f3
python-kasa         0.12.0    python_kasa-0.12.0.tar.gz          92b0cd9eafc89a07a31e5652dd494a2eed0477fc1b0e517ba1b1a045d2cf3643
opsdroid            0.31.0    opsdroid-0.31.0.tar.gz             3c293103e272e5bc12d5a563dac7e0c366c283e2258e471213224eae8ab9fa04
mcp                 2.3.0     mcp-2.3.0.tar.gz                   8b147a50441cf059dc88c684e0aeed3687f0aa0f39c6cde7b90330effd2b34d8
aiomysql            0.3.2     aiomysql-0.3.2.tar.gz              72d15ef5cfc34c03468eb41e1b90adb9fd9347b0b589114bd23ead569a02ac1a
aioimaplib          2.0.3     aioimaplib-2.0.3.tar.gz            0a7c3e558af754a7ca8b5927be07c4ab6a0b7cd963174ca4290f6b0d51d4616b
py-cord             2.8.1     py_cord-2.8.1.tar.gz               b1ebd22416941bbeccb6d26df5cbd65ff6b1d47fcbbc9652efae039e46e8a562
nicegui             3.18.0    nicegui-3.18.0.tar.gz              74cf67c57d2a0dbcdc329d9b35d0396d25dc961550765276daef4de244eaf15b
aiohomematic        2026.10.6 aiohomematic-2026.10.6.tar.gz      92ba8ca5f435a1bbb48ce0a33afedb805cd3194045371f8001800a684cd1cf5e
zha                 2.3.1     zha-2.3.1.tar.gz                   37b8937dee0882a9716bd08998d0f6f09c6b9e066926e478351438262b6f8b99
rstream             1.1.1     rstream-1.1.1.tar.gz               d7acd26bfde3f23403f0c2b1fa1bcbd794038b398dc897b30bdc0e7a8ff645bd
pydle               1.2.0     pydle-1.2.0.tar.gz                 e830debe5f10b1ba2d2bf8ea4c5c26427989c8a842edcc42d194b6cff6aeac11
pyppeteer           2.0.0     pyppeteer-2.0.0.tar.gz             4af63473ff36a746a53347b2336a49efda669bcd781e400bc1799b81838358d9
aioshelly           14.0.1    aioshelly-14.0.1.tar.gz            0729db506e064f9f7f067bc1655a794089314b21e07282e4ff33ba031fc0a2e4
litestar            2.25.0    litestar-2.25.0.tar.gz             7fad91fcd89367fcd26534ab19b6b05763cc67ab9574baa914546089e1ed1fb4
livekit-agents      1.8.9     livekit_agents-1.8.9.tar.gz        5fd70b90accb9798e3a9a9b983c3e02cd564a54f1b995755d7a2aac21f50c92e
chainlit            2.12.0    chainlit-2.12.0.tar.gz             53ca71c66fd98d417039ca5fa9c68349eb8eda771b7e0235a7da531f610fe5d0
gradio              6.31.0    gradio-6.31.0.tar.gz               40cf094fe8ea1b8ada0fc4c10b685c4c5f09c4061d34c073be25bab342e14e22
sse-starlette       3.7.1     sse_starlette-3.7.1.tar.gz         9a8256e3e80a0fdc8d1dec14f2bb0b3f304c99f23a6d4d26c61ff50145761597
strawberry-graphql  0.341.3   strawberry_graphql-0.341.3.tar.gz  f5c472f0c716b2c6ce5a552fa11160e35bcae1c2160101de256f63b6f23b18be
jupyter_server      2.21.1    jupyter_server-2.21.1.tar.gz       a8960aa29263f6041283e97d4756b099fb49b767baab6371891ecb1bd40a63df
pipecat-ai          1.14.0    pipecat_ai-1.14.0.tar.gz           2535140066a6a540c9f9e11996c79c94c3bdc1304f9303b39298e6e1ecdea34e
esphome             2026.10.0 esphome-2026.10.0.tar.gz           a583830d20cb64f059a5d06a25df3099679cbb2bbc798a969da959cf5027a1aa
vkbottle            4.11.0    vkbottle-4.11.0.tar.gz             594cf86a2e606a0546e1bf7ebb0869df1e878a5cedcfc9e836f22bbe21642662
Telethon            1.45.0    telethon-1.45.0.tar.gz             4cb7ae269b8ab9dad9fc490b859f0bc2f885121e990f5b20407b1faa0db2a1d9
pyrogram            2.0.106   Pyrogram-2.0.106.tar.gz            30202995758fcb6e0f91224704ab7fedefea454297724bd70a6a71a23748c16f
ib_async            2.1.0     ib_async-2.1.0.tar.gz              6a03a87d6c06acacb0217a5bea60a8a168ecd5b5a7e86e1c73678d5b48cbc796
bellows             1.2.1     bellows-1.2.1.tar.gz               44d9dbb0576b964b3fe238835bfbb26198b4f2d71010f0f6908a73170f224b6d
zigpy-znp           1.1.1     zigpy_znp-1.1.1.tar.gz             95edd2eed8432f27d59177d292f8ef56d897c722885b757510ca2cdc1eca9250
pymodbus            3.16.1    pymodbus-3.16.1.tar.gz             19e571826dff37860afc31c845c1fd2fb72acffca02a233506b32d94fa022c33
aiosmtplib          5.1.3     aiosmtplib-5.1.3.tar.gz            ac2b418d3260ba62d9cfd0fe7359726e9dc009a4e8e8d9909fdfae332f522a7c
APScheduler         3.11.3    apscheduler-3.11.3.tar.gz          cd2fcc9330039a81a5893472ad49facf23a6d5604cbe1d918c835c6de7834d5a
hass-nabucasa       2.9.1     hass_nabucasa-2.9.1.tar.gz         41f640fbba4a82da2b7de68902af7d8fa631ff9a04008c901a8ad12dd3b68173
aiounifi            97        aiounifi-97.tar.gz                 51a4d7855e92fe8a2e9d3a3194b7f21f8f3425b04bb6ee3c9f399807ed101f97
pydeconz            120       pydeconz-120.tar.gz                bb6cdcb1c92a5b30b809b7a2b538986ea81e70e3828918c4bcf0bb50e2ecb0e6
discord-py-interactions 5.16.0    discord_py_interactions-5.16.0.tar.gz 6368b685b8f2b6a8b8ed1d55b3876d168f1cce5a8255a6b9132fecfe0cb4626a
hydrogram           0.2.0     hydrogram-0.2.0.tar.gz             4b2ecbc795e8cb24daa70c49a3171c74cdb855bbd6fbcb35b1f49f62b75dd907
python-matter-server 8.1.2     python_matter_server-8.1.2.tar.gz  9af42cafe3331a843fa6bed52bbf59381350660a7764a97ed5b9e66f46af0b14
saq                 0.26.4    saq-0.26.4.tar.gz                  e29a3c8b7df722c28f6b8db9566571fc0bbdb32d0fcccbaa3af9517f46a6011c
temporalio          1.35.0    temporalio-1.35.0.tar.gz           c7a14f29909f8d847f78de49305af89c0ec5aea39272cd4050124386ac3ca295
autobahn            26.11.1   autobahn-26.11.1.tar.gz            1a081ca27ad5a0a04d3c7ca07b2caa6d324b8004383e36ae6eede1d5053e23b0
aioxmpp             0.13.3    aioxmpp-0.13.3.tar.gz              a2299e84f6d61137c6a046e2470aeebd8cd25515c1f3cefd681c322242d8056d
async-upnp-client   0.49.0    async_upnp_client-0.49.0.tar.gz    b2306b2277471f3d3544d688159aa98ee656306af7f203a9e48386e9a94bfbd0
dbus-fast           5.2.0     dbus_fast-5.2.0.tar.gz             a4a5dddc04b1ade5eb7650d791e2f6fb7c1334595593473914e78a2526ecddda
coredis             6.9.0     coredis-6.9.0.tar.gz               041a8e93f637deb702b9fdf20656e856069ae53ae17ff51db078934afad0cc52
tortoise-orm        1.1.9     tortoise_orm-1.1.9.tar.gz          0399e1aa9518620f8b9c455598ac06ab890332c03e335cfca4b73b48d4e6abaa
amqtt               0.12.1    amqtt-0.12.1.tar.gz                7112cce32f9b9d3f24abb1f60c604695909cd6a31f89e79e430585326ebe97d8
gmqtt               0.8.0     gmqtt-0.8.0.tar.gz                 61fb7641109f57ca29f73d2d8f2cb487de49d76338ef8c68228db961b6e9696a
aiostream           0.8.1     aiostream-0.8.1.tar.gz             32d180b4ab01ebb2fc59eda7fa59f496895a4d07b32fc57537d1dade2514a8a1
aioredis            2.0.1     aioredis-2.0.1.tar.gz              eaa51aaf993f2d71f54b70527c440437ba65340588afeb786cd87c55c89cd98e
fastmcp             4.2.3     fastmcp-4.2.3.tar.gz               0c9d1739d59e89506489bea589dec6193d204ab86e9739333d6bb46c13476477
aiohue              4.9.0     aiohue-4.9.0.tar.gz                c1c5edf114266f6b5878ffccf82db8b326141cc3d8c3697f5fc3aa87a4d3747e
pysmartthings       4.0.3     pysmartthings-4.0.3.tar.gz         58c4b7e21ff4d1351f425d70191d61f558f04c5de4670c576b4e4d43e1cbc6d5
bleak-retry-connector 4.7.1     bleak_retry_connector-4.7.1.tar.gz 9a5b07d2d7c5a9809b1769492d956604a7403870693be92754259d9eed5c177e
aiohasupervisor     0.11.0    aiohasupervisor-0.11.0.tar.gz      e53651e335c2a016aef53b633958415ecc60861b0a1464a756d20c891fa398f3
aiomultiprocess     0.9.1     aiomultiprocess-0.9.1.tar.gz       f0231dbe0291e15325d7896ebeae0002d95a4f2675426ca05eb35f24c60e495b
a2a-sdk             1.3.0     a2a_sdk-1.3.0.tar.gz               73694717de50f36aaebd57b8fc6636ecaa825eb0d4437984fa2cd17f703a6808
pyTelegramBotAPI    4.37.1    pytelegrambotapi-4.37.1.tar.gz     349c06a4cce8f82d10cfc1bdc3395f750e19ea1413d445e944147d7736f58b59
autogen-core        0.7.5     autogen_core-0.7.5.tar.gz          70c2871389f1d0a7f6db8ef78717a51b7ce877ff4a08a836b7758d604dece203
rocketry            2.5.1     rocketry-2.5.1.tar.gz              11d1fb3d2856c5b2727bb4814c4f2bfbd2803067eebeac872d34a4c7a6756825
aiomonitor          0.7.1     aiomonitor-0.7.1.tar.gz            beb1f14429bc4a3135bbac32381d242fe2019d74fcf9c86d3f4bd7405dc562e4
aioice              0.13.0    aioice-0.13.0.tar.gz               02c2dee812f1a68602689a444bd5125a144b6ee43bca74229a1e0f7842d1897c
zwave-js-server-python 0.75.0    zwave_js_server_python-0.75.0.tar.gz 99e898770410f41c24caca3079b58b249075e53d9baf54cd72c0c657cdda31c5
nbclient            0.11.0    nbclient-0.11.0.tar.gz             04a134a5b087f2c5887f228aca155db50169b8cd9334dee6942c8e927e56081a
asgiref             3.13.0    asgiref-3.13.0.tar.gz              034cc8cbf72d00553b4be256703ac545120b4e50af13b49dec99da899aeeecb4
slack-sdk           3.48.0    slack_sdk-3.48.0.tar.gz            e54389b4b9b221c9d57f1d98bc1e28f4918e4e0bc435cc5d430216cb1ab6ad7c
openai-agents       0.24.0    openai_agents-0.24.0.tar.gz        4b4b285f4fed81fdf1b4ac426a9101658d9cd29b4fb1aaeee18f639b77e704e3
aiorun              2025.1.1  aiorun-2025.1.1.tar.gz             86d1075a034ce2671ab532db06e9204fe784cdd0c66ca7b8cc47a7527d0d50a3
pyheos              1.0.6     pyheos-1.0.6.tar.gz                925d6451ffb484cb766dc3cde56f9d2b42115ecc2ce86db2f67f302b9bc9abc4
aiolifx             1.2.2     aiolifx-1.2.2.tar.gz               5191841501e697a7b66226d1f2b383da5dcb298811d97186f6eb5539a4352f72
roonapi             0.1.6     roonapi-0.1.6.tar.gz               2980258dbf8d0a6a436cf2bc51759a4c4af8b120b6280ba2b42ce9a197a592a4
python-roborock     7.13.0    python_roborock-7.13.0.tar.gz      2d37b13ccd7d70efc09b5712bc5058f8223b02a697de94842a45e5f98444cf34
aioautomower        3.1.0     aioautomower-3.1.0.tar.gz          1c1ccf747bbeab94d9d1904076e34a1798dee3dd690743baf574b3d2345994e8
aiozmq              1.0.0     aiozmq-1.0.0.tar.gz                dac9069d36a47da439fa852ed37caaed3887b5928cb781e06a6a82e43682c6bb
kubernetes-asyncio  36.1.0    kubernetes_asyncio-36.1.0.tar.gz   6d979d82e5ebe490bea298e7843732a2336173236bae28e200434889443d4443
aiopg               1.4.0     aiopg-1.4.0.tar.gz                 116253bef86b4d954116716d181e9a0294037f266718b2e1c9766af995639d71
aiocron             2.1       aiocron-2.1.tar.gz                 1bb65a36aee137e8833592783956e0c7dc478bc3e9273fc2841d5d0c6045e4d2
aiomisc             18.0.37   aiomisc-18.0.37.tar.gz             c714b9f60ed639982c8dbd7644af9f4938678aa5cc3d60327cf4f04914703c3d
aiorpcx             0.25.0    aiorpcx-0.25.0.tar.gz              940fa250ea5e9fd372d4c6acdc20dcb603bd1960ca324759d29864a4aaf64570
hikari-lightbulb    3.2.6     hikari_lightbulb-3.2.6.tar.gz      06beae2b39a9727da2199c7edd09c50455545e890f02d30d74c004ad692b0bf4
pysnmp              7.1.30    pysnmp-7.1.30.tar.gz               db72f439b066725d2586dff068478dc8e9b303a4dba3294462b0e76b3cb63bc2
qasync              0.28.0    qasync-0.28.0.tar.gz               6f7f1f18971f59cb259b107218269ba56e3ad475ec456e54714b426a6e30b71d
langgraph           1.2.24    langgraph-1.2.24.tar.gz            86b0dd611b7201cb393da2de0e064029c1bef520f11a5e6ee04be53c2a815bc7
pydantic-ai-slim    2.78.0    pydantic_ai_slim-2.78.0.tar.gz     e921976cab32e65fb3bb28e2e323335b87a8a5c393ed415260e599846791c32d
aiogithubapi        26.0.0    aiogithubapi-26.0.0.tar.gz         71ee97ebb242378535551ede80605384d1d3536b83e68dae938ce201d06dac33
pyoverkiz           2.3.0     pyoverkiz-2.3.0.tar.gz             bb06e63ede0d244a98558eab329be2bd5f76262857e3f4febd88ad322f739669
aiowebostv          0.10.0    aiowebostv-0.10.0.tar.gz           93ee7557fb49e7a59f2d4b54a1658c4edddcc8f99f9106189afae22bf3554bce
litestar-granian    0.16.0    litestar_granian-0.16.0.tar.gz     794691dc44faee2f0d2b17826c8ef9be67709581a60a2ec6ccbeaa9038db0010
pyserial-asyncio-fast 0.16      pyserial_asyncio_fast-0.16.tar.gz  fd52643380406739d777014b0aea0873d756b542eb62f7556567239cec007115
aiohttp-sse-client2 0.3.0     aiohttp-sse-client2-0.3.0.tar.gz   5cdd33fc0d034aea339e190726bb918bc61fd3424c7ab528d07b1d60790a979f
lmnr                0.8.2     lmnr-0.8.2.tar.gz                  41940f7ecefafbe068b562c80352fc14288642f512597a3baac841cf2db8d112
mautrix-telegram    0.15.3    mautrix_telegram-0.15.3.tar.gz     0bd3ae1c3d399aea2ffbb115e42deaa9cb6266641561e71a911c860fc2e3b21c
reolink-aio         0.22.0    reolink_aio-0.22.0.tar.gz          08850191e7de268692346d52d411dd17c1d69bd9a171410fbcef7e95acafbb89
pylutron-caseta     0.30.1    pylutron_caseta-0.30.1.tar.gz      5193a70d09f7b4573c517567ee97558a8b751455ea7d4dae30d4063706390422
zigpy-deconz        1.1.0     zigpy_deconz-1.1.0.tar.gz          831afe3e086080b45bda1339d2940d8503dfd67c4f052030a13c8b380bde3304
universal-silabs-flasher 1.2.0     universal_silabs_flasher-1.2.0.tar.gz 492f478a2de1e93410f155c983a31af86f30c6fd33c0dedfa6463f68fdd8ef92
bleak-esphome       4.1.0     bleak_esphome-4.1.0.tar.gz         86a4ae2c96270f5f7468227a8af01691acbf06896551336590027a5180d67815
habluetooth         7.2.1     habluetooth-7.2.1.tar.gz           be759a6e968d847146ff0c1d0b1ec0fa121f41ebf70a84db53e0c750c40ae3f1
music-assistant-client 1.7.0     music_assistant_client-1.7.0.tar.gz e4cb032f448641c7359e42a6f7260e0028a39d51fdacb2f08929e9d4ebf1b83c
autogen-agentchat   0.7.5     autogen_agentchat-0.7.5.tar.gz     8d9c718db52ef24a518806b3a0ef848f0e4c1902877675dc0abed73a8e6e7755
livekit-api         1.2.2     livekit_api-1.2.2.tar.gz           689753198dfefe58b007581fcce09e1089b2ad80adb3f9445798e55abdc9a264
smolagents          1.26.0    smolagents-1.26.0.tar.gz           4ec92313265f9cfbcabfc88e192b4bc4505f8475dc5f33dc872062fc567037bd
aiosonos            0.1.15    aiosonos-0.1.15.tar.gz             7db2a5c676cee55cba7ad9ed2e140051b7d01a8593f9352d1340e51ad09cbad8
pyipp               0.17.2    pyipp-0.17.2.tar.gz                5a888309f5d9101ccaf6d62ac3786d445aca726178c887967ddf35aaaf6cd7bc
aiodiscover         3.3.2     aiodiscover-3.3.2.tar.gz           0919faf317035670f1458b1ff02302b253aa6c7ba33bf6638e61c23f759ed8de
aioairzone          1.0.5     aioairzone-1.0.5.tar.gz            01bb44e8aab9ad09f13e1e0af5cb4bc8f6a8ff9c27a11e83e5260a32c62f0f27
wyoming             1.10.2    wyoming-1.10.2.tar.gz              2a84035d9e51f4be68b27c9791273c5bce29f79f0c37137ea49cc417294f9080
pywizlight          0.6.6     pywizlight-0.6.6.tar.gz            b6c57ee128a5867548181ae9b0a0d8b4333863734a7f80375d42fcda97293100
aioswitcher         6.3.0     aioswitcher-6.3.0.tar.gz           6333203f9d503442c10d7d6bd80105ba4f52cccb47d6253017ae3fd66b6138e0
deebot-client       18.7.0    deebot_client-18.7.0.tar.gz        1f93da745c75a0733bed8bfc53d4436f17e604167413c9177d58565f23a317a3
aiortsp             1.4.0     aiortsp-1.4.0.tar.gz               6c2ae08ba78fd9b939a281365fdc323896ae5453c3e2c3c1c3dd43efb120928e
aiogram-dialog      2.6.0     aiogram_dialog-2.6.0.tar.gz        766ad1ca994b9c33a54a9a5367bf6165041236b8dfec2aac5d334e55d64805f0
broadcaster         0.3.1     broadcaster-0.3.1.tar.gz           35d1e174a98346d184cc6558979548340e877ae841c65c7e354153a84fe675d6
nio-bot             1.2.1     nio_bot-1.2.1.tar.gz               d834b3ccf22e1ef80405874072121477a7e6770d05664619825b9264f33d01cb
go2rtc-client       0.4.0     go2rtc_client-0.4.0.tar.gz         9eff2630f8c9953a56d1aa8eb1eceb71d60c61c631aaadc3f8dc122831217858
pyatmo              9.9.1     pyatmo-9.9.1.tar.gz                f8c6fd7b50e375999c6f0deeb1aa5709c9571c8d596dd118d89367fa3204e9e1
aiodns              4.0.4     aiodns-4.0.4.tar.gz                cb10e0c0d2591636716ad2fe402e977c16d71bdaf76bb8cb49e8a6633596f736
aiohttp-retry       2.9.1     aiohttp_retry-2.9.1.tar.gz         8eb75e904ed4ee5c2ec242fefe85bf04240f685391c4879d8f541d6028ff01f1
langchain-core      1.8.4     langchain_core-1.8.4.tar.gz        af8976d6df0b3338dc7c830ebf1c505c0fc05a0e3eb564f4901ed7546a418ab6
browser-use         0.13.14   browser_use-0.13.14.tar.gz         9bb2f3d7ea215bf67b415c8e6e546413a3712ac5ea775b223b452189f4582d9d
llama-index-workflows 2.26.1    llama_index_workflows-2.26.1.tar.gz bd2abd7c3730c17922fff7ba4f6302727d1874718870fbf615705bf3d7361b87
crawl4ai            0.9.5     crawl4ai-0.9.5.tar.gz              84fa6f4970fbb086a68893c9fb18605a93fcd609c72bee6fbb1d2715924afbff
litellm             1.110.2   litellm-1.110.2.tar.gz             a483c8d3078c1bd27a9fe9c831ac2ce09d41b728a7ea6e9a3ce48db276edeef5
procrastinate       3.10.0    procrastinate-3.10.0.tar.gz        3668da769088682abf91b8c760de467be1203218411872f1a26ac7515d4f980d
pgqueuer            1.6.0     pgqueuer-1.6.0.tar.gz              ed1306404f96e25c84c951f434e8b06b091e04e0177af0d5441505a7944f156e
daphne              4.2.3     daphne-4.2.3.tar.gz                1c458f81926b37301cadc8ec1b6316d9a5db53fba061fc4826610395fe5d5c81
gcloud-aio-pubsub   8.0.0     gcloud_aio_pubsub-8.0.0.tar.gz     ec7a8d14ad259db4cf545d679f682a99836394783e9413afc66089debf906afe
google-adk          2.15.0    google_adk-2.15.0.tar.gz           fc481d9e978c6e9e7b69c18d8032818c3005598557ed786c4c1295e7bd0ec065
deepgram-sdk        7.17.0    deepgram_sdk-7.17.0.tar.gz         6831641f27a288a2004b7c85be224ec7ecae3f007defc6cdacfe6538531a6de2
pycrdt-websocket    0.16.5    pycrdt_websocket-0.16.5.tar.gz     bda0b9ad31468a9d664464fc28c1b112cfde274065eb75844aa19950fb59d282
gql                 4.4.0     gql-4.4.0.tar.gz                   e54fe470d51347ceb46a04fc88c5553695d2d8c86b05bef13aeee8b8f2d5f61a
azure-eventhub      5.15.1    azure_eventhub-5.15.1.tar.gz       201de7b6e10b7517c594e529aa7d21c6887ac2a4757fc4850c991a3f640a02fb
azure-iot-device    2.14.0    azure_iot_device-2.14.0.tar.gz     b6d48d4932c240025736ace544c4e71bc49a1576ac998ea1de778af82496ffce
scrapli             2026.10.14 scrapli-2026.10.14.tar.gz         85479f5a944595166d624e4aca6919309b1d3a869f4289361b0e9a42a15049dc
bacpypes3           0.0.110   bacpypes3-0.0.110.tar.gz           fd130ae5844a370a28110011f14aae04654939d325e26ca71147b39bb4cbd942
cryptofeed          3.0.1     cryptofeed-3.0.1.tar.gz            b9b8cb7947232aada42fc1f1c21486f6b3217a7b27a4d71822e4931d4bdb9b20
python-binance      1.0.37    python_binance-1.0.37.tar.gz       03a302d8c598d270f1206adf165450ce4d0df58691e92a5e0bff665831f75a1e
nodriver            0.50.99   nodriver-0.50.99.tar.gz            baf8de532bf1e78c9298ab7ea56ea6a586a904290ce6b9ee7dd9ba6f40373211
zendriver           0.17.1    zendriver-0.17.1.tar.gz            b9d5f79eea2dd116ec91badd5efb8193606e8c6a80635b963a2d5ac085ef186b
nonebot2            2.5.0     nonebot2-2.5.0.tar.gz              5dca27d1d20d86bea823d2c3e0f5118f66af07788bc9d38f3e630bef36dfdf71
hata                1.3.100   hata-1.3.100.tar.gz                9bd0be4bc0f468ac6105555a75cd6080b6c333b8656472ff7c8ba522867c432c
asyncstdlib         3.14.0    asyncstdlib-3.14.0.tar.gz          f99396992a3bba7495d8cf6c832bfe8c8727f61213233d3569a5a9cbd1c04385
urwid               5.1.0     urwid-5.1.0.tar.gz                 36c8aa321fe5ac0c47dccc913bfbbd504d96caad8644c5a7ada0ec8c522fb808
jupyterhub          6.1.1     jupyterhub-6.1.1.tar.gz            1d7b6713b31ebd76d61a13c202f9323e66c4e8cf731adc5d3052bb6ee6178a95
prefect             3.9.1     prefect-3.9.1.tar.gz               56f091cd49a06e6c3f98eea93648208f6750361d1dd0aeb60b5faa0e9cb5c458
vllm                0.34.0    vllm-0.34.0.tar.gz                 fcad848b246a9d8652b47e6425af92334dc02492f9802720f54e27b823cf0113
bumble              0.0.236   bumble-0.0.236.tar.gz              cea9fbd8b8a9ff78567bc4a97b35d54c72fcf10109476a24518d01394fbbd982
uiprotect           25.0.0    uiprotect-25.0.0.tar.gz            c69aabee9b1392b6ac7f83b622685c327cd2b49bd6a5e0d9d5d8d2bb42222e8a
reflex              0.10.1    reflex-0.10.1.tar.gz               758972b3e0d31c49cdb0cb0f2d6e7033a4ba075c51df0d3c08840fe06c5d8eed
semantic-kernel     1.45.0    semantic_kernel-1.45.0.tar.gz      04bcc9db1937bf7d5a7b25a8212d0cd7dfc9e8155d78e237690c19334885b7ef
streamlit           1.67.0    streamlit-1.67.0.tar.gz            58159dae1199212250bfa5fbba0740996129003266c2c37d465151ef76c48f3b
bokeh               3.10.2    bokeh-3.10.2.tar.gz                d9fba1004fae149c6e6d54ba37410e52b8d4622ed5c6dad2220afa1b61362de0
textual-serve       1.1.3     textual_serve-1.1.3.tar.gz         f8f636ae2f5fd651b79d965473c3e9383d3521cdf896f9bc289709185da3f683
pytest-asyncio      1.5.0     pytest_asyncio-1.5.0.tar.gz        92c8fa83ca419fd0d4bd6a34df6520dae435841d3733c319343249492adf37f7
sentry-sdk          3.0.1     sentry_sdk-3.0.1.tar.gz            f70e3b7e789e2bfbb8d5614615037ab73303647aa7f782cc442452c6289696d7
llama-index-core    0.14.25   llama_index_core-0.14.25.tar.gz    4ebfdc5317f0382501fa80262d7a7382715f80741cf41a7b11a52d4335e6f696
aioamqp             0.15.0    aioamqp-0.15.0.tar.gz              fcad924d7658e65ef074522a7e9527e0b0adad09b10774340ea9f3fd277452d8
aiosmb              0.4.14    aiosmb-0.4.14.tar.gz               4a8eaefac5fb10e1088eb61e8df58aff3fe61fd6f11ce72efd8a6317555f02c3
pyvlx               0.2.36    pyvlx-0.2.36.tar.gz                7820a7e6cfaee455f4ca75eb806568772f471b62fbd613fe6a7fac52d3970a92
crewai              1.15.44   crewai-1.15.44.tar.gz              c1ca558e8d4fe885e88cf4ab582fd928f56f7e6a92acb597acf734273b77d98d
agno                3.1.10    agno-3.1.10.tar.gz                 1830567bd35ea0a178a5c213d6a93dde84d21caae147e4dd285351c3686a41c8
pygls               2.1.1     pygls-2.1.1.tar.gz                 1da03ba9053201bb337dcdd8d121df70feb2a91e1a0dcc74de5da79755b1a201
jupyter-server-ydoc 3.0.4     jupyter_server_ydoc-3.0.4.tar.gz   f004c79c6c4ace03edff9176bb8695f96996609cd3a02c4d0197905a29323387
pymongo             4.20.1    pymongo-4.20.1.tar.gz              1ac112b3ffa3d010cfc2fc54e3ae677a12c63d18c6115db4451df64f1a1175eb
shiny               1.8.0     shiny-1.8.0.tar.gz                 7377b93455a3c38e7b2fba49efde59fc9998db671dffce502a170ecc15d9be74
flet                1.0.5     flet-1.0.5.tar.gz                  95a078c0259b56a2d08c772555e53c8ffd24496ba0a319e24bdf7a9f05ad5fe9
haystack-ai         3.4.1     haystack_ai-3.4.1.tar.gz           95b57e672264584a9c437857e4ca4c89bf2137dab80fc972553df491349d811b
azure-servicebus    7.15.0    azure_servicebus-7.15.0.tar.gz     62c73f3d9efbaf0089a375adc5ef992ffe6d7d0b1218b8462265aa30ad352c3e
pyipv8              3.2.1     pyipv8-3.2.1.tar.gz                0615f5ba06b5661b7ac3e766ae1129bc8cb2fadcdb79cd1043519f5b69245c84
aiotools            2.2.4     aiotools-2.2.4.tar.gz              f29551fc7632e9537608cea0d154bc63b5847b0972f9a3ed122d509aaa81fa72
meross-iot          0.4.10.4  meross_iot-0.4.10.4.tar.gz         5c9b95c5417ce231e72d340792acdc2aad20090a2c007786e14a2dfe36e9404c
pyinsteon           1.7.0     pyinsteon-1.7.0.tar.gz             4a69663553607973e0b81a4cc0ae9f952de770650ba51895e1583661ba9d2051
livekit             1.2.1     livekit-1.2.1.tar.gz               9edd3d3558193c66ed4dd78d3f5874dc35e99dbbf0a0264380fbd64fcd31e2a7
voila               0.5.13    voila-0.5.13.tar.gz                e7a01973b085888df9a0bf50207fc252f700675011a4d053ab1f94be219b55a7
google-genai        3.6.1     google_genai-3.6.1.tar.gz          dfd4120a15ba5aff6a3de8a85d76e1d5d0af65c70a54c459b1c5e76f503e46e7
bittensor           11.3.0    bittensor-11.3.0.tar.gz            8ce05029a712866048c6cf3e3d5df1592ac896175f5b4227f63044b7e7b7edb3
ccxt                4.5.90    ccxt-4.5.90.tar.gz                 536ad1a06098086f828dd876b15bbb8f3532e96c591e40540e7fe7aa8f97363f
dspy                3.4.1     dspy-3.4.1.tar.gz                  6803449c11818efd10537da22e509a87af1bd30796053d1a6c82421f2afaa461
aioharmony          1.0.11    aioharmony-1.0.11.tar.gz           0aa195f594d4a9fddc6169e4b4df1a8771cfb92243d13100debe63f9729415ce
pytradfri           14.0.0    pytradfri-14.0.0.tar.gz            05dca2680b6b47e559c8ab321db595805769ffa6b7170a8d1a3bdf1d3442714f
teslajsonpy         3.14.0    teslajsonpy-3.14.0.tar.gz          7365fea38a7b0b4525fddb820aae4b59f44dcbff995fddf98060208c4b6654f7
metagpt             0.8.2     metagpt-0.8.2.tar.gz               e7a7b39288b0494657bf94f22cf82a70e34459faadcf2ff263be193c814a2ef2
electrumx           1.20.2    electrumX-1.20.2.tar.gz            bc331a213479ea34e35b08db8372a652d288a9d640e8265ee018577bf2e1810e
hikari-tanjun       2.17.7    hikari_tanjun-2.17.7.tar.gz        163a82866677de048e125b1226216ba20909ed6bf71a0f6e9f4a6893708cbc71
mcp-agent           0.2.6     mcp_agent-0.2.6.tar.gz             609cf6195517d0741dac130b294bff7eb426e6217ca63839d957c79f22e6db09
interactions-py     5.16.0    interactions_py-5.16.0.tar.gz      135479a3909422d1991572f28d6af6b1a0c8b884b54f40921b5501ad44955b0b
dbos                3.4.0     dbos-3.4.0.tar.gz                  e152a517686fd1875b6eb3d6bf83c87f700a6c244fe872b6da7955f750e18953
twitchAPI           4.5.0     twitchapi-4.5.0.tar.gz             06849800c5931d6b6e5d817a2ada7a18d55fa0d0af1dc3109ea6c699a71f8db7
inngest             0.5.19    inngest-0.5.19.tar.gz              f7be69f9dc4b4bd2d4ceab06e2a4e8cdbf48bb705904faccb926ba23224637e0
pyisy               3.8.0     pyisy-3.8.0.tar.gz                 9d48c380a1544eb1eb94fef26889086876d0de52e46e0ea0c96bf709d35b6b64
restate-sdk         1.3.0     restate_sdk-1.3.0.tar.gz           c4ecac6fe15304ec2ccfc7874c3cfa391b8436091958e24c47e869400fbcf3da
camel-ai            0.2.90    camel_ai-0.2.90.tar.gz             43f11673390cc8d4451d6b1bb2913ddef6131f411f47da02d16a3989c8096d02
pylitterbot         2025.7.0  pylitterbot-2025.7.0.tar.gz        fcdc4c0cbd88e98cdeba9a2963ccea89e9522223840380ca5a029fb4ca28a13e
openhands-ai        1.11.0    openhands_ai-1.11.0.tar.gz         95bf563bd3d34876ea6284e28321c034fa44491a46b21e32bf5cc54d118bbf78
pyrisco             0.8.1     pyrisco-0.8.1.tar.gz               780263edd1f04ab848f1e68996be48dcb4cc77aa9a20b3d9af1666480bfece14
propan              0.1.5.26  propan-0.1.5.26.tar.gz             5d6d80b7328ad30cd3de8e15c035950c5b9c3e152a0980dd826054c95b6be1b3
aiolimiter          1.3.0     aiolimiter-1.3.0.tar.gz            7343008c2228e89def7d4ce29ab98ee98822bf5db69018c09c90088929f7c104
aiohttp-sse         3.0       aiohttp_sse-3.0.tar.gz             4c2158dc7221fbcad225699c2b7c368c15ae45ef195447ddd0ba3dea5af24c70
pydaikin            2.22.0    pydaikin-2.22.0.tar.gz             5ca2bf73a16d45a757e12227155db5db5a63e5c360c6e6170da67a9c6a4fd968
aiotg               2.0.0     aiotg-2.0.0.tar.gz                 9932f117d3faaf10ee6b36c580ffa033d4a3311b0d54dcbd261cb93e8bae3b1e
ring-doorbell       0.9.14    ring_doorbell-0.9.14.tar.gz        33df67c0cba8d0ece2b89a4dcee6602baf47b44fbfc1b3a085e8a3d54c016917
aiogoogle           5.19.0    aiogoogle-5.19.0.tar.gz            9694e59a11d4739236fba837071a17aed3708e1ba38f3043d900426b11677e2f
soco                0.32.5    soco-0.32.5.tar.gz                 acc2ab3e558b43d7db15a9de41d8d86153f662d1507b2f18e9f23c4e99db96ec
xinference          4.1.0     xinference-4.1.0.tar.gz            94a6023a02043fa1400b66c65a520b0421fb026c87e098c0a9088e1c8ae340bb
autogen-ext         0.7.5     autogen_ext-0.7.5.tar.gz           711ab9238ea66ff2abef163c331e538092bdea661620727a4a9b2ebce1c22df9
marimo              0.25.2    marimo-0.25.2.tar.gz               3cfa38ac84c66625e1f7cb7dc81a41ebd592244000ffe37effb28a91765056b0
jina                3.34.0    jina-3.34.0.tar.gz                 2f7a485677ebe82c9592eb3d59e9777ffcbf3049b6b6d1a6f8cfdad1ee96e0a5
ag2                 1.2.1     ag2-1.2.1.tar.gz                   bae4947a00f6676c3108bfa4e81d6a0afbaf7354acdc7e1bad7c67e1163c8f08
panel               1.10.0    panel-1.10.0.tar.gz                ed4edce651ff08377e7927f53eccc425123a79db49afac0a7cae61436de61494
falcon              4.4.0     falcon-4.4.0.tar.gz                9f3ffbddc8baed4573295642eddb18a37eea37baba9f20c5be379c8b3d3d79e6
aioslimproto        3.3.0     aioslimproto-3.3.0.tar.gz          1279ca65ff97055cd7c21227ae18279257f842d684dd78d31af6f75c69d76f14
pydoll-python       3.0.0     pydoll_python-3.0.0.tar.gz         a763ce74fd6092532157a2c4acc65a045a1f8a1dc8dbfc836688c28d25ca4be3
crawlee             1.11.0    crawlee-1.11.0.tar.gz              48e046fb47a1df25a28a3a3a4ae264bfdd131f23f2f64038649c59f64cf47ccc
databases           0.9.0     databases-0.9.0.tar.gz             d2f259677609bf187737644c95fa41701072e995dfeb8d2882f335795c5b61b0
mautrix-instagram   0.3.1     mautrix-instagram-0.3.1.tar.gz     423c97c7a6cc65f4a569a27387fcce225436ad34820fd7fb854af8f6f084191b
bentoml             1.4.40    bentoml-1.4.40.tar.gz              e46c06da1577b669d178541873b5938ac772e3882339b942e138a0c8fb245abc
trio-asyncio        0.16.0    trio_asyncio-0.16.0.tar.gz         9f4e80aa344555548bf440e0f43072743aac1b3a538ebe3994f52363b7752d6f
bottom              3.0.0     bottom-3.0.0.tar.gz                04b87ea92ef1e213d0c8f2af22e46048d1e8cc5bf08e2a19924e94de0610fc34
vocode              0.1.113   vocode-0.1.113.tar.gz              3e7cb142cea58764bd17d411b973eda9082642a70e56cce5b36a5a9021165451
pyzmq               27.3.0    pyzmq-27.3.0.tar.gz                bbedb3d1d99babc625f1dd9d7438acefd442b36b75073fd6bc1ef7c0a4b96d56
aiorussound         5.0.2     aiorussound-5.0.2.tar.gz           93e05c9df0ac868f6e079de7d313426a28d45b935cafcf7f4413f594b488da70
ipyparallel         9.2.0     ipyparallel-9.2.0.tar.gz           2b31bb4e94708e7ffb4ee6501d7f5f664df7e1c4c572e91e9e0d12484c6a6910
apify               4.1.0     apify-4.1.0.tar.gz                 eacfa4024412b8e4064f099a0b23a3c754a5822e25182209c9ab2ccc4b17cc53
socketify           0.0.31    socketify-0.0.31.tar.gz            7502bed5b382e75f04ea3c6d6b53b76f27bb8653740db92e3f2b55fab388df20
niquests            3.21.2    niquests-3.21.2.tar.gz             586d6b9475c9018a42f19f1e4688077b8158101cbf40673c63d2c1a096cc7665
aiozk               0.32.0    aiozk-0.32.0.tar.gz                a1eace00c5d3f035aaacdce6d90d328583435cd8651165c5370f4c0593789099
gel                 3.1.0     gel-3.1.0.tar.gz                   3bb0b21167e00c976675a7d5dd73c21002e659651bf9de7fa46cd418bfa3eb85
surrealdb           2.0.0     surrealdb-2.0.0.tar.gz             70a2656bf5b6d844cf4c029d6e0a7309ca95b9ba282663f31c8b6e642fc8463a
fortnitepy          3.6.9     fortnitepy-3.6.9.tar.gz            556f7781b0e03c68c9f7dbb48c6eecdb3a8bbb1a1e3b9da5bbb76b4dad3f8fc5
steamio             1.1.3     steamio-1.1.3.tar.gz               ff453ede7d3a8a7030425abe6c357ac72c6a50a054aad7eec0b6fabad1428db9
ably                3.1.4     ably-3.1.4.tar.gz                  72d180ef6c602bb23008377e33165dd3c41dadf7ed93b3af37cb3e79ae8a660d
flux-led            1.2.0     flux_led-1.2.0.tar.gz              3cfb68df243bdc9bdde6a91e9d05960949de70b8a76fdb799b70021c54380c3d
greeclimate         4.1.0     greeclimate-4.1.0.tar.gz           ea65dc0fb157f406f1128189b77cd154b21f244c76e0fc8f544ed406fab054d3
pyotgw              2.2.3     pyotgw-2.2.3.tar.gz                c4c06b705a346e243bcec72c81988c9d6e56dfc4e7bb2965548a24ba66f15885
pypck               0.9.14    pypck-0.9.14.tar.gz                9b33d65fbcb478e5f46e255906d8d4863512d288b4c0d019fde25fe275ef3a39
nessclient          1.3.1     nessclient-1.3.1.tar.gz            a042e85a0465d83beae455678119b20bdcba37122b47e9cfc935d5f3f40e66e7
xoscar              0.12.2    xoscar-0.12.2.tar.gz               a56deee2dec1aecc5e978ef7c776c001ad9186ba5da1da0cf7f49de1cfcf1801
pysignalr           1.3.3     pysignalr-1.3.3.tar.gz             d5bb0676f087a06e0ae8177b5791bf060f0f6546658707bb7de290c92da3052b
strands-agents      1.65.0    strands_agents-1.65.0.tar.gz       cf0c348b98798723a0bf8bc001dc065e3d7a960ac09e6dfce98c2d7338fc5514
agentscope          2.0.11    agentscope-2.0.11.tar.gz           33e816fc022a1e592d3dce9b06951d11cb048bd8f5ea7306453311b850a4fd5c
centrifuge-python   0.7.0     centrifuge_python-0.7.0.tar.gz     11252b45c3f6b6104cfb07fb0fcfc9d2d62832d2af14715dd16fdc5e9c6e5964
pyroute2            0.9.7     pyroute2-0.9.7.tar.gz              a678b098478c46ec51d6bf9a03c3cd2ac0172dffa590e9e8c1eeab633d0c17c6
euporie             2.10.4    euporie-2.10.4.tar.gz              e80774a0e6f081f47e84249eca18c04237169ba967609985a482e1db0101e88b
red-discordbot      3.5.24    red_discordbot-3.5.24.tar.gz       6c9b5e3773f46b26550a70812aa33dc6cb37ee0f42563cb294f156df66207cf5
asysocks            0.2.18    asysocks-0.2.18.tar.gz             cc6196e82c8adc8b3ce2321dddf635500c760316da4b7cca321b532cbb3dfdf5
rsocket             0.4.20    rsocket-0.4.20.tar.gz              466203e1fc2d7064fd456b5948d594ffa364c642fb532eca71289d27206502c3
uagents             0.26.1    uagents-0.26.1.tar.gz              3236c6d6505aae644a8945befd2b59efdd4a18deec5e2562d2f20768c1cebff1
launart             0.8.2     launart-0.8.2.tar.gz               b1ba35d79a7cb6e3cb09195ef3b7cdf47ecaefb7838020607a0c371e188cc96c
pyplumio            0.6.8     pyplumio-0.6.8.tar.gz              546d9c6e2c3268373c19031d9b040e0b0233365ba6e883149d9e5c331c8e8b4f
snitun              0.47.0    snitun-0.47.0.tar.gz               264975472011b7a211e44880c614d5534f6fe953c125e0cec365bae3a169c578
web3                8.0.0     web3-8.0.0.tar.gz                  8d898fe1909037d6269c998d27c1806ce201cf6d7e49514ad6f3e4dcc64e6e9a
jupyterhub-kubespawner 7.1.0     jupyterhub_kubespawner-7.1.0.tar.gz ece25721ed26741d94d51429c7778fb86509e6be740712e9f158bc6d0192d4e2
hikari-arc          2.3.2     hikari_arc-2.3.2.tar.gz            e6770b6c9355c3236deb47af1f717b395a20f465f68926b0c931c56a86fd2212
dask-gateway-server 2026.3.0  dask_gateway_server-2026.3.0.tar.gz 74c4137c3f3748716d34fc86a159fa1cba7b94e606f57a42e1e4470a20b209dc
msldap              0.5.15    msldap-0.5.15.tar.gz               b8024a2c0559158ec407cb6317201ecc83627248baaeecee5dfd4419ca773e3d
aardwolf            0.2.16    aardwolf-0.2.16.tar.gz             52cba79817af963108dcd39e82513deec742387f2fab01a9138abe56f94e7ad2
pybricksdev         2.3.2     pybricksdev-2.3.2.tar.gz           7c060ce60dbdde96fb6544dfbcd8cd51dcb2d4d7d5cd5796dd79c40f0287e765
wavelink            3.5.2     wavelink-3.5.2.tar.gz              a4ee03fd43e9cc246e2659f57c278d562c8e1889e99514358aebf0d164d45f85
pynobo              1.9.0     pynobo-1.9.0.tar.gz                e92b550b264e47440a0574976ea335dcc07ce3cbf71cb03f186c505aa029977a
aiosonic            1.3.3     aiosonic-1.3.3.tar.gz              edf6451c4ef35d022d97e45a949d5147a9cd9f70aa7c12b5dfd9f3afcb02b671
pomice              2.11.1    pomice-2.11.1.tar.gz               f7ea0f3443a6a83f7d9b6dd6088b48896ef00fda2fc69ce8a65e20ada576add7
elkm1-lib           2.2.15    elkm1_lib-2.2.15.tar.gz            b565dec2f2e90b9443549e6f28690edf71f233a2c2a2aaca9f3dc5837ff7ceab
pylamarzocco        2.5.2     pylamarzocco-2.5.2.tar.gz          6a687055f599415d2b339f45244e8dfc0e06957538d17a5a215fc9d9bfd3202d
denonavr            1.3.3     denonavr-1.3.3.tar.gz              743d6da373c185f695083edcfb5c3a3c4daa884823e83de83e0fc67fe21f6984
lavalink            5.11.1    lavalink-5.11.1.tar.gz             995945373f897b34bda77287b9ec02d203c6e8bba497135d24654558f615e9b7
"

PINS="
aiohttp             3.14.5    aiohttp-3.14.5.tar.gz              5558a7f5a05af9ecf744af91e5baefc436f93c9333e656c27ec253f9a6bbe178
uvicorn             0.54.0    uvicorn-0.54.0.tar.gz              a2e33cbfaa0306f8e6b0c13e0cb89d7d7a2da3e62b90c66e18c33d9807b28620
hypercorn           0.18.0    hypercorn-0.18.0.tar.gz            d63267548939c46b0247dc8e5b45a9947590e35e64ee73a23c074aa3cf88e9da
sanic               25.12.1   sanic-25.12.1.tar.gz               7b51bf608e4030f06a6c002cd08fed2872e4936527e63c9a8a97d5cd06a2b47f
websockets          17.4      websockets-17.4.tar.gz             09d3939b70df0c8ad2da145ebd50978bccaee1d565e838b0e7921a34d38571eb
textual             8.2.8     textual-8.2.8.tar.gz               3f106a9fbc73e39dd266c9712432087de78a6d644084c7c241d6a25c3169115b
redis               8.1.0     redis-8.1.0.tar.gz                 6e1a19beef9225c83efd689c7e6b7da2d5215b1f42cd13b7fc3714d0a09c7b25
asyncpg             0.32.0    asyncpg-0.32.0.tar.gz              45e64e56714d888330b884aad1dfb363d0bf43fb343e3d1a8968525f3bade478
aiokafka            0.14.0    aiokafka-0.14.0.tar.gz             8ffdc945798ba4d3d132b705d4244d0a1f493925efb57c637a2ca88ee82794e1
aio-pika            10.2.1    aio_pika-10.2.1.tar.gz             e4f77afd9179a3cca5a904c3b0a1190256a36d9f90650db908b1b2245eb27487
aiormq              7.2.4     aiormq-7.2.4.tar.gz                5fd20bb9583d73de85572198496b65cf028f27527c1733c9840d458e0b40e8fa
python-telegram-bot 22.8      python_telegram_bot-22.8.tar.gz    f9d3847fcb23ee603477e442800b33bb4adf851a73e0619d2050be879decf1ef
discord.py          2.7.1     discord_py-2.7.1.tar.gz            24d5e6a45535152e4b98148a9dd6b550d25dc2c9fb41b6d670319411641249da
hikari              2.7.0     hikari-2.7.0.tar.gz                2a45ed800cb749411c20e665e584d62adbf12b9f0dc70e52e81637fcd4cbf44e
slixmpp             1.17.0    slixmpp-1.17.0.tar.gz              05257ee0f2aecb42d6479f6071c89ad3c734fda0ee753eb4625ecdc6114d90b1
zigpy               2.4.0     zigpy-2.4.0.tar.gz                 f6d2fc5d6e33618b440e5beadcd5e16efaf119af4ab1a67b27f9430b2c4fe7f4
aioesphomeapi       46.23.0   aioesphomeapi-46.23.0.tar.gz       c0d49eb03717a4a62fc01eca86dfa73ff912688fa4749e6b60c325eb7a7e2e28
kopf                1.45.2    kopf-1.45.2.tar.gz                 5baa180cfdebe1c5095d2a0a96d7d91825b6920541a0825c55719c36abb0054f
distributed         2026.8.0  distributed-2026.8.0.tar.gz        6f55008ecacf96ba945309fc12e680544764995e27bd63cc5e109afb97d7044d
jupyter_client      8.10.0    jupyter_client-8.10.0.tar.gz       9f7116294dca55f1785be880057d44544db9b1567718d92cb33c58886afb9497
"
[ "$SET" = holdout ] && PINS="$HOLDOUT_PINS"

die() { echo "corpus.sh: error: $*" >&2; exit 1; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

SDIST="$DIR/.sdist"
mkdir -p "$SDIST"

fetched=0 extracted=0 skipped=0
while read -r name version file sha; do
    [ -n "$name" ] || continue
    dest="$DIR/$name-$version"
    if [ -f "$dest/.corpus-ok" ]; then
        skipped=$((skipped + 1))
        continue
    fi

    archive="$SDIST/$file"
    if [ -f "$archive" ] && [ "$(sha256_of "$archive")" = "$sha" ]; then
        : # already downloaded and intact
    else
        rm -f "$archive"
        echo "corpus.sh: downloading $name==$version" >&2
        # --ignore-requires-python: only the source is wanted, and some
        # packages (quart 0.23) ask for a newer Python than the one here.
        # pip prepares the sdist's metadata, which some build backends cannot
        # do offline from PyPI alone (nextcord 3.2 needs a build plugin from
        # GitHub): then the same file is taken from PyPI's JSON API, by its
        # name; the sha256 below checks it either way.
        if ! PIP_DISABLE_PIP_VERSION_CHECK=1 "$PYTHON" -m pip download --quiet \
            --ignore-requires-python \
            --no-deps --no-binary "$name" "$name==$version" -d "$SDIST"; then
            echo "corpus.sh: pip download $name==$version failed; fetching $file from PyPI's JSON API" >&2
            "$PYTHON" - "$name" "$version" "$file" "$archive" <<'PY' || die "download of $file failed"
import json, sys, urllib.parse, urllib.request
name, version, file, out = sys.argv[1:]
api = f"https://pypi.org/pypi/{name}/json"
with urllib.request.urlopen(api, timeout=60) as r:
    project = json.load(r)
files = project.get("releases", {}).get(version) or project["urls"]
url = next(u["url"] for u in files if u["filename"] == file)
with urllib.request.urlopen(urllib.parse.urljoin(api, url), timeout=300) as r, open(out, "wb") as f:
    f.write(r.read())
PY
        fi
        [ -f "$archive" ] || die "pip download $name==$version did not produce $file (files in $SDIST: $(ls "$SDIST" | tr '\n' ' '))"
        got="$(sha256_of "$archive")"
        if [ "$got" != "$sha" ]; then
            mv "$archive" "$archive.bad"
            die "sha256 mismatch for $file: expected $sha, got $got (kept as $archive.bad)"
        fi
        fetched=$((fetched + 1))
    fi

    # Extract into a scratch folder next to the target, then rename into place,
    # so an interrupted run never leaves a half-extracted DIR/NAME-VERSION/.
    tmp="$DIR/.tmp-$name-$version"
    rm -rf "$tmp" "$dest"
    mkdir -p "$tmp"
    case "$file" in
        *.tar.gz | *.tgz) tar -xzf "$archive" -C "$tmp" ;;
        *.zip) "$PYTHON" -m zipfile -e "$archive" "$tmp" ;;
        *) die "unknown archive type: $file" ;;
    esac
    # An sdist has one top-level folder (NAME-VERSION/); strip it.
    mapfile -t top < <(find "$tmp" -mindepth 1 -maxdepth 1)
    if [ "${#top[@]}" -eq 1 ] && [ -d "${top[0]}" ]; then
        mv "${top[0]}" "$dest"
        rmdir "$tmp"
    else
        mv "$tmp" "$dest"
    fi
    printf '%s %s %s\n' "$name" "$version" "$sha" >"$dest/.corpus-ok"
    extracted=$((extracted + 1))
done <<<"$PINS"

echo "corpus.sh: $DIR: $fetched downloaded, $extracted extracted, $skipped already present"
echo
printf '%-22s %-10s %8s %8s\n' package version py-files spawns
total_py=0 total_spawn=0
while read -r name version file sha; do
    [ -n "$name" ] || continue
    dest="$DIR/$name-$version"
    py=$(find "$dest" -type f -name '*.py' | wc -l)
    # A rough count of spawn calls: lines calling create_task( or ensure_future(.
    # (grep exits 1 for a package without any: not an error here.)
    spawn=$({ grep -rE --include='*.py' -c '(create_task|ensure_future)[[:space:]]*\(' "$dest" || true; } \
        | awk -F: '{ s += $NF } END { print s + 0 }')
    printf '%-22s %-10s %8d %8d\n' "$name" "$version" "$py" "$spawn"
    total_py=$((total_py + py))
    total_spawn=$((total_spawn + spawn))
done <<<"$PINS"
printf '%-22s %-10s %8d %8d\n' total "" "$total_py" "$total_spawn"
echo "size: $(du -sh --exclude=.sdist "$DIR" | cut -f1) extracted, in $DIR"
