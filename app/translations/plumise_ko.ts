<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko" sourcelanguage="en">
<context>
    <name>AppActions</name>
    <message>
        <location filename="../main_window.py" line="35"/>
        <source>Open dashboard</source>
        <translation>대시보드 열기</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="36"/>
        <source>Claim…</source>
        <translation>청구…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="37"/>
        <source>Settings…</source>
        <translation>설정…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="38"/>
        <source>Quit</source>
        <translation>종료</translation>
    </message>
</context>
<context>
    <name>AppController</name>
    <message>
        <location filename="../controller.py" line="213"/>
        <source>Your wallet could not be loaded.</source>
        <translation>지갑을 불러오지 못했습니다.</translation>
    </message>
    <message>
        <location filename="../controller.py" line="218"/>
        <source>Unlock your wallet</source>
        <translation>지갑 잠금 해제</translation>
    </message>
    <message>
        <location filename="../controller.py" line="219"/>
        <source>Your wallet is kept encrypted in %1.
Enter its password:</source>
        <translation>지갑은 %1에 암호화되어 보관되어 있습니다.
비밀번호를 입력하세요:</translation>
    </message>
    <message>
        <location filename="../controller.py" line="300"/>
        <source>Starting the local devnet…</source>
        <translation>로컬 devnet을 시작하는 중…</translation>
    </message>
    <message>
        <location filename="../controller.py" line="361"/>
        <source>The node stopped</source>
        <translation>노드가 멈췄습니다</translation>
    </message>
    <message>
        <location filename="../controller.py" line="362"/>
        <source>Restarting in %1 s.</source>
        <translation>%1초 후 다시 시작합니다.</translation>
    </message>
    <message>
        <location filename="../controller.py" line="531"/>
        <source>Settings</source>
        <translation>설정</translation>
    </message>
    <message>
        <location filename="../controller.py" line="532"/>
        <source>The settings could not be saved: %1</source>
        <translation>설정을 저장하지 못했습니다: %1</translation>
    </message>
    <message>
        <location filename="../controller.py" line="624"/>
        <source>Resume</source>
        <translation>다시 시작</translation>
    </message>
    <message>
        <location filename="../controller.py" line="624"/>
        <source>Pause</source>
        <translation>일시 중지</translation>
    </message>
    <message>
        <location filename="../controller.py" line="621"/>
        <source>Stop</source>
        <translation>중지</translation>
    </message>
    <message>
        <location filename="../controller.py" line="621"/>
        <source>Start</source>
        <translation>시작</translation>
    </message>
</context>
<context>
    <name>AutostartPage</name>
    <message>
        <location filename="../wizard.py" line="773"/>
        <source>Start when you log in?</source>
        <translation>로그인할 때 시작할까요?</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="775"/>
        <source>Plumise Petals can start by itself when you log in to this computer, straight into the system tray, so that it keeps earning without you opening it. You can turn this off at any time in Settings.</source>
        <translation>Plumise Petals는 이 컴퓨터에 로그인할 때 스스로 시작해 시스템 트레이에 자리 잡을 수 있습니다. 직접 열지 않아도 계속 보상을 받습니다. 설정에서 언제든지 끌 수 있습니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="778"/>
        <source>Start Plumise Petals when I log in</source>
        <translation>로그인할 때 Plumise Petals 시작</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="790"/>
        <source>Starting at login could not be set up: {0}. Untick the box to go on without it.</source>
        <translation>로그인 시 자동 시작을 설정하지 못했습니다: {0}. 자동 시작 없이 계속하려면 체크를 해제하세요.</translation>
    </message>
</context>
<context>
    <name>ClaimDialog</name>
    <message>
        <location filename="../claim_dialog.py" line="60"/>
        <source>The claim could not be sent.</source>
        <translation>청구를 보내지 못했습니다.</translation>
    </message>
    <message>
        <location filename="../claim_dialog.py" line="157"/>
        <source>Claim your PLM</source>
        <translation>PLM 청구</translation>
    </message>
    <message>
        <location filename="../claim_dialog.py" line="159"/>
        <source>Move %1 of pending rewards to your wallet %2?

The network charges a small fee (gas) in PLM.</source>
        <translation>대기 중인 보상 %1을(를) 지갑 %2(으)로 옮길까요?

네트워크가 PLM으로 약간의 수수료(가스)를 받습니다.</translation>
    </message>
    <message>
        <location filename="../claim_dialog.py" line="162"/>
        <source>Claim</source>
        <translation>청구</translation>
    </message>
    <message>
        <location filename="../claim_dialog.py" line="163"/>
        <source>Sending the claim and waiting for the network to confirm it…</source>
        <translation>청구를 보내고 네트워크의 확인을 기다리는 중…</translation>
    </message>
    <message>
        <location filename="../claim_dialog.py" line="164"/>
        <source>Copy transaction hash</source>
        <translation>트랜잭션 해시 복사</translation>
    </message>
    <message>
        <location filename="../claim_dialog.py" line="165"/>
        <source>Open in explorer</source>
        <translation>탐색기에서 열기</translation>
    </message>
    <message>
        <location filename="../claim_dialog.py" line="168"/>
        <source>Claimed %1. It is in your wallet now.</source>
        <translation>%1을(를) 청구했습니다. 이제 지갑에 있습니다.</translation>
    </message>
    <message>
        <location filename="../claim_dialog.py" line="169"/>
        <source>Transaction:</source>
        <translation>트랜잭션:</translation>
    </message>
    <message>
        <location filename="../claim_dialog.py" line="174"/>
        <source>Details:</source>
        <translation>자세한 내용:</translation>
    </message>
    <message>
        <location filename="../claim_dialog.py" line="173"/>
        <source>The claim did not go through: %1</source>
        <translation>청구가 처리되지 않았습니다: %1</translation>
    </message>
</context>
<context>
    <name>CreateWalletPage</name>
    <message>
        <location filename="../wizard.py" line="243"/>
        <source>Your new wallet</source>
        <translation>새 지갑</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="244"/>
        <source>Address (safe to share; rewards are paid to it):</source>
        <translation>주소 (공유해도 안전합니다. 보상이 이 주소로 지급됩니다):</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="246"/>
        <source>Private key (never share it: whoever has it controls the wallet and its PLM):</source>
        <translation>개인 키 (절대 공유하지 마세요. 이 키를 가진 사람은 지갑과 PLM을 마음대로 쓸 수 있습니다):</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="247"/>
        <source>Copy</source>
        <translation>복사</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="249"/>
        <source>Write the private key down or put it in a password manager now. If this computer is lost and there is no copy, the wallet and its PLM are lost too.</source>
        <translation>지금 개인 키를 적어 두거나 비밀번호 관리자에 저장하세요. 사본 없이 이 컴퓨터를 잃어버리면 지갑과 PLM도 함께 잃게 됩니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="251"/>
        <source>I saved the private key somewhere safe</source>
        <translation>개인 키를 안전한 곳에 저장했습니다</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="257"/>
        <source>The wallet could not be created.</source>
        <translation>지갑을 만들지 못했습니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="260"/>
        <source>Creating a new key…</source>
        <translation>새 키를 만드는 중…</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="262"/>
        <source>A new wallet was created on this computer.</source>
        <translation>이 컴퓨터에 새 지갑을 만들었습니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="284"/>
        <source>Something went wrong while creating the key: {0}</source>
        <translation>키를 만드는 중 문제가 생겼습니다: {0}</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <location filename="../dashboard.py" line="120"/>
        <source>Tokens served</source>
        <translation>처리한 토큰</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="121"/>
        <source>Tokens per second</source>
        <translation>초당 토큰</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="122"/>
        <source>Requests</source>
        <translation>요청</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="123"/>
        <source>Average latency</source>
        <translation>평균 지연 시간</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="124"/>
        <source>Serving for</source>
        <translation>서빙 시간</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="125"/>
        <source>Model</source>
        <translation>모델</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="126"/>
        <source>Blocks</source>
        <translation>블록</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="127"/>
        <source>Peers</source>
        <translation>피어</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="128"/>
        <source>PLM balance</source>
        <translation>PLM 잔액</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="129"/>
        <source>Pending PLM</source>
        <translation>대기 중인 PLM</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="130"/>
        <source>Epoch</source>
        <translation>에포크</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="131"/>
        <source>Registered / active</source>
        <translation>등록 / 활성</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="132"/>
        <source>Last report</source>
        <translation>마지막 보고</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="133"/>
        <source>Claimed here</source>
        <translation>여기서 청구한 양</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="137"/>
        <source>Serving</source>
        <translation>서빙</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="138"/>
        <source>Rewards</source>
        <translation>보상</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="139"/>
        <source>Claim…</source>
        <translation>청구…</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="198"/>
        <source>Stop</source>
        <translation>중지</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="198"/>
        <source>Start</source>
        <translation>시작</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="226"/>
        <source>A claim is in progress.</source>
        <translation>청구를 처리하는 중입니다.</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="228"/>
        <source>There is nothing to claim yet.</source>
        <translation>아직 청구할 보상이 없습니다.</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="230"/>
        <source>Move %1 to your wallet.</source>
        <translation>%1을(를) 지갑으로 옮깁니다.</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="237"/>
        <source>accepted</source>
        <translation>수락됨</translation>
    </message>
    <message>
        <location filename="../dashboard.py" line="237"/>
        <source>refused</source>
        <translation>거부됨</translation>
    </message>
</context>
<context>
    <name>DevnetRunner</name>
    <message>
        <location filename="../devnet_runner.py" line="199"/>
        <source>The local devnet could not start.</source>
        <translation>로컬 devnet을 시작하지 못했습니다.</translation>
    </message>
    <message>
        <location filename="../devnet_runner.py" line="214"/>
        <source>The local devnet could not be started (is Python available?).</source>
        <translation>로컬 devnet을 시작할 수 없었습니다(Python이 있나요?).</translation>
    </message>
    <message>
        <location filename="../devnet_runner.py" line="230"/>
        <source>The local devnet stopped unexpectedly (exit code %1).</source>
        <translation>로컬 devnet이 예기치 않게 멈췄습니다(종료 코드 %1).</translation>
    </message>
</context>
<context>
    <name>EarningsChart</name>
    <message>
        <location filename="../charts.py" line="131"/>
        <source>Earnings history chart</source>
        <translation>수익 기록 차트</translation>
    </message>
    <message>
        <location filename="../charts.py" line="148"/>
        <source>No earnings recorded yet</source>
        <translation>아직 기록된 수익이 없습니다</translation>
    </message>
    <message>
        <location filename="../charts.py" line="178"/>
        <source>Claimed in total: %1</source>
        <translation>총 청구액: %1</translation>
    </message>
</context>
<context>
    <name>FinishPage</name>
    <message>
        <location filename="../wizard.py" line="816"/>
        <source>Ready</source>
        <translation>준비 완료</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="817"/>
        <source>Start serving now</source>
        <translation>지금 서빙 시작</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="828"/>
        <source>chosen automatically</source>
        <translation>자동으로 선택</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="829"/>
        <source>chosen automatically ({0})</source>
        <translation>자동으로 선택 ({0})</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="833"/>
        <source>Wallet: {0}</source>
        <translation>지갑: {0}</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="834"/>
        <source>Key kept {0}</source>
        <translation>키 보관 위치: {0}</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="835"/>
        <source>Model: {0}</source>
        <translation>모델: {0}</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="836"/>
        <source>Starts when you log in: {0}</source>
        <translation>로그인할 때 시작: {0}</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="837"/>
        <source>yes</source>
        <translation>예</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="837"/>
        <source>no</source>
        <translation>아니요</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <location filename="../wizard.py" line="895"/>
        <source>Plumise Petals — first start</source>
        <translation>Plumise Petals — 처음 시작</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="896"/>
        <source>Save wallet</source>
        <translation>지갑 저장</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="897"/>
        <source>Finish</source>
        <translation>완료</translation>
    </message>
</context>
<context>
    <name>HardwareAdvice</name>
    <message>
        <location filename="../hardware_advice.py" line="65"/>
        <source>Memory: {0:.0f} GiB ({1:.1f} GiB free)</source>
        <translation>메모리: {0:.0f} GiB (여유 {1:.1f} GiB)</translation>
    </message>
    <message>
        <location filename="../hardware_advice.py" line="68"/>
        <source>Graphics card: {0} with {1:.0f} GiB</source>
        <translation>그래픽 카드: {0} ({1:.0f} GiB)</translation>
    </message>
    <message>
        <location filename="../hardware_advice.py" line="70"/>
        <source>Graphics: Apple GPU (shares the memory)</source>
        <translation>그래픽: Apple GPU (메모리 공유)</translation>
    </message>
    <message>
        <location filename="../hardware_advice.py" line="72"/>
        <source>Graphics card: none that can be used, so the model runs on the processor</source>
        <translation>그래픽 카드: 사용할 수 있는 카드가 없어 모델이 프로세서에서 실행됩니다</translation>
    </message>
    <message>
        <location filename="../hardware_advice.py" line="73"/>
        <source>Processor cores: {0}</source>
        <translation>프로세서 코어: {0}개</translation>
    </message>
    <message>
        <location filename="../hardware_advice.py" line="75"/>
        <source>Free disk space: {0:.0f} GiB</source>
        <translation>디스크 여유 공간: {0:.0f} GiB</translation>
    </message>
    <message>
        <location filename="../hardware_advice.py" line="82"/>
        <source>on the graphics card</source>
        <translation>그래픽 카드에</translation>
    </message>
    <message>
        <location filename="../hardware_advice.py" line="82"/>
        <source>on the Apple GPU</source>
        <translation>Apple GPU에</translation>
    </message>
    <message>
        <location filename="../hardware_advice.py" line="82"/>
        <source>on the processor</source>
        <translation>프로세서 메모리에</translation>
    </message>
    <message>
        <location filename="../hardware_advice.py" line="85"/>
        <source>Larger models need more memory or a graphics card than this computer has.</source>
        <translation>더 큰 모델은 이 컴퓨터보다 많은 메모리나 그래픽 카드가 필요합니다.</translation>
    </message>
    <message>
        <location filename="../hardware_advice.py" line="87"/>
        <source>It is the largest model that suits this computer; larger ones need more memory or a bigger graphics card.</source>
        <translation>이 컴퓨터에 맞는 가장 큰 모델입니다. 더 큰 모델은 더 많은 메모리나 더 큰 그래픽 카드가 필요합니다.</translation>
    </message>
    <message>
        <location filename="../hardware_advice.py" line="90"/>
        <source>It is the largest model that suits this computer.</source>
        <translation>이 컴퓨터에 맞는 가장 큰 모델입니다.</translation>
    </message>
    <message>
        <location filename="../hardware_advice.py" line="91"/>
        <source>{0} of its {1} blocks fit {2}, at about {3:.2f} GiB each, leaving room for you and your programs.</source>
        <translation>전체 {1}개 블록 중 {0}개가 {2} 들어갑니다(블록당 약 {3:.2f} GiB). 사용자와 다른 프로그램이 쓸 여유는 남겨 둡니다.</translation>
    </message>
    <message>
        <location filename="../hardware_advice.py" line="108"/>
        <source>too large for this computer</source>
        <translation>이 컴퓨터에는 너무 큼</translation>
    </message>
    <message>
        <location filename="../hardware_advice.py" line="110"/>
        <source>needs a Hugging Face token</source>
        <translation>Hugging Face 토큰 필요</translation>
    </message>
</context>
<context>
    <name>HardwarePage</name>
    <message>
        <location filename="../wizard.py" line="687"/>
        <source>This computer</source>
        <translation>이 컴퓨터</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="688"/>
        <source>Choose automatically (recommended)</source>
        <translation>자동으로 선택 (권장)</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="689"/>
        <source>Let me choose:</source>
        <translation>직접 선택:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="702"/>
        <source>Checking this computer&apos;s memory, graphics card and disk…</source>
        <translation>이 컴퓨터의 메모리, 그래픽 카드, 디스크를 확인하는 중…</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="704"/>
        <source>The hardware check did not finish.</source>
        <translation>하드웨어 확인을 마치지 못했습니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="706"/>
        <source>The model this computer can serve depends on its memory and graphics card.</source>
        <translation>이 컴퓨터가 서빙할 수 있는 모델은 메모리와 그래픽 카드에 따라 정해집니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="713"/>
        <source>Recommended: {0}. {1}</source>
        <translation>권장: {0}. {1}</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="735"/>
        <source>The hardware could not be checked ({0}). The app will choose the model when it starts; you can change it later in Settings.</source>
        <translation>하드웨어를 확인하지 못했습니다({0}). 앱이 시작할 때 모델을 고르며, 나중에 설정에서 바꿀 수 있습니다.</translation>
    </message>
</context>
<context>
    <name>ImportWalletPage</name>
    <message>
        <location filename="../wizard.py" line="350"/>
        <source>Use your wallet</source>
        <translation>가지고 있는 지갑 사용</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="352"/>
        <source>Paste the wallet&apos;s private key: 64 characters, each 0-9 or a-f, with or without 0x at the start.</source>
        <translation>지갑의 개인 키를 붙여 넣으세요. 0-9 또는 a-f로 된 64자이며, 앞에 0x가 있어도 되고 없어도 됩니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="353"/>
        <source>Private key</source>
        <translation>개인 키</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="354"/>
        <source>Show the key</source>
        <translation>키 보기</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="361"/>
        <source>Checking the key…</source>
        <translation>키를 확인하는 중…</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="363"/>
        <source>Wallet address: {0}</source>
        <translation>지갑 주소: {0}</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="402"/>
        <source>That number is outside the range a private key can take. Check that it was copied completely.</source>
        <translation>이 값은 개인 키가 가질 수 있는 범위를 벗어납니다. 빠짐없이 복사했는지 확인하세요.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="405"/>
        <source>That looks like a wallet address (40 characters). The private key is needed here: 64 characters.</source>
        <translation>지갑 주소(40자)로 보입니다. 여기에는 개인 키(64자)가 필요합니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="408"/>
        <source>That is not a private key. A private key has 64 characters, each 0-9 or a-f (this has {0}).</source>
        <translation>개인 키가 아닙니다. 개인 키는 0-9 또는 a-f로 된 64자입니다(입력한 값은 {0}자).</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="424"/>
        <source>This key cannot be used: {0}</source>
        <translation>이 키는 사용할 수 없습니다: {0}</translation>
    </message>
</context>
<context>
    <name>LogsView</name>
    <message>
        <location filename="../logs_view.py" line="105"/>
        <source>All levels</source>
        <translation>모든 수준</translation>
    </message>
    <message>
        <location filename="../logs_view.py" line="105"/>
        <source>Info and above</source>
        <translation>정보 이상</translation>
    </message>
    <message>
        <location filename="../logs_view.py" line="106"/>
        <source>Warnings and errors</source>
        <translation>경고와 오류</translation>
    </message>
    <message>
        <location filename="../logs_view.py" line="106"/>
        <source>Errors only</source>
        <translation>오류만</translation>
    </message>
    <message>
        <location filename="../logs_view.py" line="110"/>
        <source>Search the logs</source>
        <translation>로그 검색</translation>
    </message>
    <message>
        <location filename="../logs_view.py" line="111"/>
        <source>Export…</source>
        <translation>내보내기…</translation>
    </message>
    <message>
        <location filename="../logs_view.py" line="152"/>
        <source>%1 of %2 lines shown</source>
        <translation>%2줄 중 %1줄 표시</translation>
    </message>
    <message>
        <location filename="../logs_view.py" line="160"/>
        <source>Export logs</source>
        <translation>로그 내보내기</translation>
    </message>
    <message>
        <location filename="../logs_view.py" line="160"/>
        <source>Log files (*.log *.txt)</source>
        <translation>로그 파일 (*.log *.txt)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="77"/>
        <source>Plumise Petals</source>
        <translation>Plumise Petals</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="78"/>
        <source>Dashboard</source>
        <translation>대시보드</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="79"/>
        <source>Logs</source>
        <translation>로그</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="80"/>
        <source>&amp;Node</source>
        <translation>노드(&amp;N)</translation>
    </message>
</context>
<context>
    <name>NodeSupervisorWorker</name>
    <message>
        <location filename="../node_supervisor.py" line="333"/>
        <source>The node program could not be started.</source>
        <translation>노드 프로그램을 시작하지 못했습니다.</translation>
    </message>
    <message>
        <location filename="../node_supervisor.py" line="397"/>
        <location filename="../node_supervisor.py" line="399"/>
        <source>The node stopped unexpectedly.</source>
        <translation>노드가 예기치 않게 멈췄습니다.</translation>
    </message>
</context>
<context>
    <name>RateChart</name>
    <message>
        <location filename="../charts.py" line="74"/>
        <source>Tokens per second chart</source>
        <translation>초당 토큰 차트</translation>
    </message>
    <message>
        <location filename="../charts.py" line="100"/>
        <source>Waiting for the node&apos;s first samples</source>
        <translation>노드의 첫 측정값을 기다리는 중</translation>
    </message>
    <message numerus="yes">
        <location filename="../charts.py" line="120"/>
        <source>%n s ago</source>
        <translation>
            <numerusform>%n초 전</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../charts.py" line="122"/>
        <source>now</source>
        <translation>지금</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../settings_dialog.py" line="383"/>
        <source>Enter an address for this network.</source>
        <translation>이 네트워크의 주소를 입력하세요.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="385"/>
        <source>A web address starts with http:// or https://, for example https://plug.plumise.com/rpc.</source>
        <translation>웹 주소는 http:// 또는 https://로 시작합니다. 예: https://plug.plumise.com/rpc</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="388"/>
        <source>This is not a complete web address: it needs a host name after the http:// and no spaces, for example http://localhost:26902.</source>
        <translation>완전한 웹 주소가 아닙니다. http:// 뒤에 호스트 이름이 있어야 하고 공백이 없어야 합니다. 예: http://localhost:26902</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="397"/>
        <source>The status port must differ from the serving port ({0}).</source>
        <translation>상태 포트는 서빙 포트({0})와 달라야 합니다.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="401"/>
        <source>Port {0} needs administrator rights; use a port from 1024 to 65535.</source>
        <translation>{0}번 포트는 관리자 권한이 필요합니다. 1024에서 65535 사이의 포트를 쓰세요.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="422"/>
        <source>{0} has only {1} blocks; choose at most {1}.</source>
        <translation>{0}에는 블록이 {1}개뿐입니다. {1}개 이하로 고르세요.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="425"/>
        <source>Choose a number of blocks from 1 to 1000, or 0 for as many as fit.</source>
        <translation>블록 수는 1에서 1000 사이로 고르거나, 들어가는 만큼 쓰려면 0을 고르세요.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="432"/>
        <source>This computer has {0} processor threads; choose at most {0}.</source>
        <translation>이 컴퓨터의 프로세서 스레드는 {0}개입니다. {0}개 이하로 고르세요.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="440"/>
        <source>Enter an amount of PLM, for example 1 or 0.5.</source>
        <translation>PLM 수량을 입력하세요. 예: 1 또는 0.5</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="441"/>
        <source>Enter an amount of PLM as a number, for example 1 or 0.5 (at most 18 digits after the point).</source>
        <translation>PLM 수량을 숫자로 입력하세요. 예: 1 또는 0.5 (소수점 아래 최대 18자리)</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="444"/>
        <source>Use an amount above 0: every claim costs a network fee.</source>
        <translation>0보다 큰 값을 쓰세요. 청구할 때마다 네트워크 수수료가 듭니다.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="446"/>
        <source>That amount is too large.</source>
        <translation>값이 너무 큽니다.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="451"/>
        <source>Choose from 1 to 240 minutes.</source>
        <translation>1분에서 240분 사이로 고르세요.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="485"/>
        <source>This computer does not tell Plumise Petals when it is in use, so the node will not pause for it.</source>
        <translation>이 컴퓨터는 사용 중인지 여부를 Plumise Petals에 알려 주지 않으므로, 사용 중이라는 이유로 노드가 일시 중지되지는 않습니다.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="524"/>
        <source>Starting at login could not be changed: {0}</source>
        <translation>로그인 시 자동 시작 설정을 바꾸지 못했습니다: {0}</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="550"/>
        <source>Plumise Petals — Settings</source>
        <translation>Plumise Petals — 설정</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="551"/>
        <source>Network</source>
        <translation>네트워크</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="552"/>
        <source>Serving</source>
        <translation>서빙</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="553"/>
        <source>Rewards</source>
        <translation>보상</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="554"/>
        <source>This computer</source>
        <translation>이 컴퓨터</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="556"/>
        <source>Network:</source>
        <translation>네트워크:</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="557"/>
        <source>Plumise mainnet</source>
        <translation>Plumise 메인넷</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="557"/>
        <source>A Plumise chain on this computer (local)</source>
        <translation>이 컴퓨터의 Plumise 체인 (로컬)</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="558"/>
        <source>Built-in test network (devnet)</source>
        <translation>내장 테스트 네트워크 (devnet)</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="560"/>
        <source>Chain address (RPC):</source>
        <translation>체인 주소 (RPC):</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="561"/>
        <source>Oracle address:</source>
        <translation>오라클 주소:</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="562"/>
        <source>Leave an address empty to use the network&apos;s own.</source>
        <translation>주소를 비워 두면 네트워크 기본 주소를 씁니다.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="564"/>
        <source>Serving port:</source>
        <translation>서빙 포트:</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="565"/>
        <source>Any free port</source>
        <translation>비어 있는 아무 포트</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="566"/>
        <source>Status port (this computer only):</source>
        <translation>상태 포트 (이 컴퓨터 전용):</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="568"/>
        <source>Other computers reach your node on the serving port; the status port is only for this app.</source>
        <translation>다른 컴퓨터는 서빙 포트로 노드에 접속합니다. 상태 포트는 이 앱만 씁니다.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="570"/>
        <source>Model:</source>
        <translation>모델:</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="571"/>
        <source>Number of blocks:</source>
        <translation>블록 수:</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="572"/>
        <source>As many as fit</source>
        <translation>들어가는 만큼</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="573"/>
        <source>Processor threads:</source>
        <translation>프로세서 스레드:</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="574"/>
        <source>All</source>
        <translation>전부</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="575"/>
        <source>Fewer threads leave more of the processor to you; serving gets slower.</source>
        <translation>스레드를 줄이면 프로세서를 더 많이 남겨 두지만 서빙은 느려집니다.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="578"/>
        <source>Claim rewards automatically</source>
        <translation>보상 자동 청구</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="579"/>
        <source>Claim when pending reaches (PLM):</source>
        <translation>대기 보상이 이만큼 쌓이면 청구 (PLM):</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="580"/>
        <source>Each claim is a transaction; a higher amount means fewer network fees.</source>
        <translation>청구할 때마다 트랜잭션이 하나 생깁니다. 값을 높이면 네트워크 수수료가 줄어듭니다.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="582"/>
        <source>Start Plumise Petals when I log in</source>
        <translation>로그인할 때 Plumise Petals 시작</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="583"/>
        <source>It starts in the system tray. Where the entry is kept: {0}</source>
        <translation>시스템 트레이에서 시작합니다. 자동 시작 항목 위치: {0}</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="585"/>
        <source>Pause while running on battery</source>
        <translation>배터리로 작동할 때 일시 정지</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="586"/>
        <source>Pause while I use the computer</source>
        <translation>컴퓨터를 사용하는 동안 일시 정지</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="587"/>
        <source>Resume after this long without keyboard or mouse use:</source>
        <translation>키보드나 마우스를 이만큼 쓰지 않으면 다시 시작:</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="588"/>
        <source> min</source>
        <translation>분</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="590"/>
        <source>Language:</source>
        <translation>언어:</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="599"/>
        <source>Default: {0}</source>
        <translation>기본값: {0}</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="600"/>
        <source>Set when the test network starts</source>
        <translation>테스트 네트워크가 시작될 때 정해집니다</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="605"/>
        <source>Automatic (checking this computer…)</source>
        <translation>자동 (이 컴퓨터 확인 중…)</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="606"/>
        <source>Automatic</source>
        <translation>자동</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="611"/>
        <source>Automatic: {0}</source>
        <translation>자동: {0}</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="622"/>
        <source>The hardware check did not finish ({0}).</source>
        <translation>하드웨어 확인을 마치지 못했습니다({0}).</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="623"/>
        <source>Checking this computer…</source>
        <translation>이 컴퓨터를 확인하는 중…</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="631"/>
        <source>Recommended for this computer: {0}.</source>
        <translation>이 컴퓨터에 권장: {0}.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="633"/>
        <source>The model you chose is larger than this computer suits; it may run slowly or not start.</source>
        <translation>고른 모델은 이 컴퓨터에 비해 큽니다. 느리게 돌거나 시작하지 못할 수 있습니다.</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="640"/>
        <source>{0} has {1} blocks; about {2} fit in the memory free now.</source>
        <translation>{0}의 블록은 {1}개이며, 지금 여유 메모리에는 약 {2}개가 들어갑니다.</translation>
    </message>
</context>
<context>
    <name>StateText</name>
    <message>
        <location filename="../state_text.py" line="30"/>
        <source>%1 tokens/s</source>
        <translation>초당 %1 토큰</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="34"/>
        <source>%1 ms</source>
        <translation>%1ms</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="45"/>
        <source>%1 d %2 h</source>
        <translation>%1일 %2시간</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="47"/>
        <source>%1 h %2 min</source>
        <translation>%1시간 %2분</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="49"/>
        <source>%1 min %2 s</source>
        <translation>%1분 %2초</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="50"/>
        <source>%1 s</source>
        <translation>%1초</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="66"/>
        <source>%1 of %2</source>
        <translation>%2 중 %1</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="69"/>
        <source>block %1 of %2</source>
        <translation>블록 %1/%2</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="79"/>
        <source>%1 (1 block)</source>
        <translation>%1 (블록 1개)</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="80"/>
        <source>%1–%2 (%3 blocks)</source>
        <translation>%1–%2 (블록 %3개)</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="86"/>
        <source>yes</source>
        <translation>예</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="86"/>
        <source>no</source>
        <translation>아니요</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="92"/>
        <source>Starting… downloading the model</source>
        <translation>시작하는 중… 모델 내려받는 중</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="94"/>
        <source>Starting… loading the model</source>
        <translation>시작하는 중… 모델 불러오는 중</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="96"/>
        <source>Starting… joining the network</source>
        <translation>시작하는 중… 네트워크에 연결하는 중</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="98"/>
        <source>Serving</source>
        <translation>서빙 중</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="100"/>
        <location filename="../state_text.py" line="131"/>
        <source>Stopping…</source>
        <translation>중지하는 중…</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="102"/>
        <location filename="../state_text.py" line="129"/>
        <source>Stopped</source>
        <translation>중지됨</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="104"/>
        <location filename="../state_text.py" line="127"/>
        <source>Error</source>
        <translation>오류</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="105"/>
        <source>Starting…</source>
        <translation>시작하는 중…</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="111"/>
        <source>Paused — on battery</source>
        <translation>일시 중지됨 — 배터리 사용 중</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="113"/>
        <source>Paused — you are using the computer</source>
        <translation>일시 중지됨 — 컴퓨터 사용 중</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="114"/>
        <source>Paused by you</source>
        <translation>사용자가 일시 중지함</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="122"/>
        <source>Restarting after an error…</source>
        <translation>오류 후 다시 시작하는 중…</translation>
    </message>
    <message>
        <location filename="../state_text.py" line="126"/>
        <source>Error — %1</source>
        <translation>오류 — %1</translation>
    </message>
</context>
<context>
    <name>StoragePage</name>
    <message>
        <location filename="../wizard.py" line="488"/>
        <source>Where your key is kept</source>
        <translation>키를 보관하는 곳</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="489"/>
        <source>Password:</source>
        <translation>비밀번호:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="490"/>
        <source>Password again:</source>
        <translation>비밀번호 확인:</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="491"/>
        <source>Keep it in an encrypted file instead</source>
        <translation>대신 암호화된 파일에 보관</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="498"/>
        <source>Looking for this computer&apos;s password store…</source>
        <translation>이 컴퓨터의 비밀번호 저장소를 찾는 중…</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="501"/>
        <source>Your key will be kept in your system&apos;s password store: {0}. Only your user account can read it, and the app asks for it when it starts serving.</source>
        <translation>키는 시스템 비밀번호 저장소에 보관됩니다: {0}. 내 사용자 계정만 읽을 수 있으며, 앱은 서빙을 시작할 때 키를 가져옵니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="505"/>
        <source>This computer has no system password store (keyring) the app can use.</source>
        <translation>이 컴퓨터에는 앱이 쓸 수 있는 시스템 비밀번호 저장소(키링)가 없습니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="506"/>
        <source>You chose to keep the key in an encrypted file.</source>
        <translation>키를 암호화된 파일에 보관하기로 했습니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="508"/>
        <source>The key will be kept in an encrypted file, protected by a password you choose now:
{0}
Write the password down: without it the file cannot be opened. The key is never written anywhere unencrypted.</source>
        <translation>키는 지금 정하는 비밀번호로 보호되는 암호화된 파일에 보관됩니다:
{0}
비밀번호를 적어 두세요. 비밀번호가 없으면 파일을 열 수 없습니다. 키는 암호화되지 않은 채로 어디에도 기록되지 않습니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="514"/>
        <source>Encrypting and saving the key…</source>
        <translation>키를 암호화해 저장하는 중…</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="515"/>
        <source>Saving the key in the password store…</source>
        <translation>비밀번호 저장소에 키를 저장하는 중…</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="517"/>
        <source>The wallet is saved.</source>
        <translation>지갑을 저장했습니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="523"/>
        <source>Save wallet</source>
        <translation>지갑 저장</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="567"/>
        <source>Use at least {0} characters.</source>
        <translation>{0}자 이상으로 정하세요.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="572"/>
        <source>The two passwords are not the same.</source>
        <translation>두 비밀번호가 같지 않습니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="626"/>
        <source>The system password store refused the key (it may be locked). Unlock it and click &quot;Save wallet&quot; again, or keep the key in an encrypted file instead.</source>
        <translation>시스템 비밀번호 저장소가 키 저장을 거부했습니다(잠겨 있을 수 있습니다). 잠금을 풀고 &quot;지갑 저장&quot;을 다시 누르거나, 대신 암호화된 파일에 보관하세요.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="631"/>
        <source>The wallet file could not be written: {0}. Check that there is free disk space.</source>
        <translation>지갑 파일을 쓰지 못했습니다: {0}. 디스크 여유 공간을 확인하세요.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="635"/>
        <source>The wallet could not be saved: {0}</source>
        <translation>지갑을 저장하지 못했습니다: {0}</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="641"/>
        <source>in the system password store: {0}</source>
        <translation>시스템 비밀번호 저장소: {0}</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="642"/>
        <source>in an encrypted file: {0}</source>
        <translation>암호화된 파일: {0}</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../tray.py" line="129"/>
        <source>Plumise Petals — %1
%2 · pending %3</source>
        <translation>Plumise Petals — %1
%2 · 대기 %3</translation>
    </message>
    <message>
        <location filename="../tray.py" line="142"/>
        <source>Not earning</source>
        <translation>보상을 받지 못하는 중</translation>
    </message>
    <message numerus="yes">
        <location filename="../tray.py" line="143"/>
        <source>Plumise Petals has not been serving for %n minutes.</source>
        <translation>
            <numerusform>Plumise Petals가 %n분 동안 서빙하지 않았습니다.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../tray.py" line="148"/>
        <source>Plumise Petals: a problem</source>
        <translation>Plumise Petals: 문제 발생</translation>
    </message>
    <message>
        <location filename="../tray.py" line="151"/>
        <source>Reward claimed</source>
        <translation>보상 청구 완료</translation>
    </message>
    <message>
        <location filename="../tray.py" line="151"/>
        <source>%1 arrived in your wallet.</source>
        <translation>%1이(가) 지갑에 들어왔습니다.</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <location filename="../wizard.py" line="178"/>
        <source>Welcome to Plumise Petals</source>
        <translation>Plumise Petals에 오신 것을 환영합니다</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="180"/>
        <source>Plumise Petals lends part of this computer to the Plumise AI network and earns PLM for the work it does. First it needs a wallet: the account your rewards are paid to.</source>
        <translation>Plumise Petals는 이 컴퓨터의 일부를 Plumise AI 네트워크에 빌려주고, 처리한 작업만큼 PLM을 받습니다. 먼저 보상을 받을 계정인 지갑이 필요합니다.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="183"/>
        <source>The wallet&apos;s private key is kept on this computer so that the app can sign its work (a &quot;hot wallet&quot;). Keep only small amounts in it, and keep a backup of the key.</source>
        <translation>앱이 작업에 서명할 수 있도록 지갑의 개인 키는 이 컴퓨터에 보관됩니다(&quot;핫 월렛&quot;). 적은 금액만 넣어 두고, 키는 따로 백업해 두세요.</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="185"/>
        <source>Create a new wallet</source>
        <translation>새 지갑 만들기</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="186"/>
        <source>Use a wallet I already have (paste its private key)</source>
        <translation>가지고 있는 지갑 사용 (개인 키 붙여 넣기)</translation>
    </message>
    <message>
        <location filename="../wizard.py" line="187"/>
        <source>Language:</source>
        <translation>언어:</translation>
    </message>
</context>
<context>
    <name>i18n</name>
    <message>
        <location filename="../i18n.py" line="110"/>
        <location filename="../settings_dialog.py" line="591"/>
        <location filename="../wizard.py" line="188"/>
        <source>Same as the system</source>
        <translation>시스템 설정과 같게</translation>
    </message>
</context>
</TS>
